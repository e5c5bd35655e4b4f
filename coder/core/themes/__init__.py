"""Theme discovery: clustering embedded answers, keywords, labels, themes as draft codes."""
