"""Survey data: reading answer files (CSV, XLSX, SPSS), their text rules and the import plan."""
