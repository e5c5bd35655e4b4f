"""Phrase banks for the demo survey's school placement questions (q2, q3); pure data, stdlib only.

Each question is a dict: ``text``, sentence frames (``np_frames`` take a noun phrase ``{np}``,
``cl_frames`` a clause ``{cl}``; ``{NP}``/``{CL}`` mean the same, capitalised), theme-neutral
``closers``, ``non_substantive`` answers and ``themes``. Lists are ``|``-separated strings. Each
theme has a key, a label, a definition, a target weight (share of substantive answers whose main
theme it is), noun phrases, clauses, short answers and detail sentences. All text is original.
"""

from __future__ import annotations

Q2_BARRIERS = {
    "id": "q2_barriers",
    "text": "What barriers has your authority experienced to placing looked-after children in "
    "independent schools?",
    "np_frames": "{NP}.|The main barrier is {np}.|Biggest barrier: {np}.|{NP} - this is the main "
    "issue.|Mainly {np}.|We have struggled with {np}.|Barriers include {np}.|{NP} has been the key "
    "problem for us.|In short, {np}.|For us it is {np}.",
    "cl_frames": "{CL}.|In our experience {cl}.|We find that {cl}.|The reality is that {cl}.|"
    "Frankly, {cl}.|Over the past year {cl}.|The problem is that {cl}.",
    "closers": "This is an ongoing concern for the virtual school.|We have raised this with the "
    "Department for Education.|This affects a small number of our looked-after children each year.|"
    "It is getting worse.|We are looking at this through our sufficiency strategy.|Hard to see how "
    "this changes without national action.|It has come up at every corporate parenting board.",
    "non_substantive": "Not applicable – no barriers experienced|No barriers|None experienced|"
    "N/A|n/a|-|none|don't know|No comment|See above|Not sure",
    "themes": [
        {
            "key": "fees_cost",
            "label": "High school fees",
            "definition": "Independent school fees, or the overall cost of an independent "
            "placement, are too high for the authority to afford or justify. Includes bare "
            "answers such as 'Cost' or 'Fees'.",
            "weight": 0.32,
            "np": "the cost of fees|high fees charged by independent schools|the sheer cost of "
            "independent placements|cost, especially day and residential fees|unaffordable fees at "
            "a time of budget pressure|the expense compared with maintained provision|the price "
            "of places",
            "cl": "independent school fees are simply unaffordable for us|fees have risen far "
            "faster than our budget|the cost per place is often three or four times a maintained "
            "school|we cannot justify the cost when budgets are this tight|every placement has to "
            "go to panel because of the cost|fees often exceed £60,000 a year per child|the "
            "schools that could meet need charge fees we cannot pay",
            "short": "Cost|Cost|Fees|Funding|Cost of placements|High fees|Money|Cost.",
            "detail": "Residential placements are the most expensive.|Some schools add extra "
            "charges for 1:1 support.|Our high needs block is already overspent.|The increases "
            "come with little notice each year.|This is the single biggest pressure on the "
            "placement budget.|Fees are not negotiable in most cases.",
        },
        {
            "key": "funding_disputes",
            "label": "Disputes over who pays",
            "definition": "Disagreement or confusion over which budget or agency pays for the "
            "place: education, social care, health, or the home versus the host authority. "
            "Covers delays while funding is agreed.",
            "weight": 0.10,
            "np": "disputes over who funds the placement|arguments between education and social "
            "care budgets about who pays|lack of agreement with health on joint funding|confusion "
            "over funding responsibility between authorities|delays while three-way funding is "
            "agreed",
            "cl": "education, social care and health cannot agree who should pay|placements stall "
            "while we argue with the home authority about funding|the split between the high "
            "needs block and the placement budget causes delays|health partners rarely "
            "contribute their share|funding panels take weeks to agree contributions",
            "short": "Funding disputes|Who pays|Joint funding",
            "detail": "Children can be out of school while this is resolved.|There is no clear "
            "national rule on the split.|Cross-border cases are the hardest.|We have escalated "
            "several cases this year.",
        },
        {
            "key": "no_local_places",
            "label": "No suitable local schools",
            "definition": "Too few suitable independent school places near where the child "
            "lives, so placements are far away or involve long journeys.",
            "weight": 0.17,
            "np": "lack of suitable schools in our area|a shortage of local independent places|"
            "distance to the nearest suitable school|long travel times for children placed out of "
            "area|limited specialist provision within a reasonable distance",
            "cl": "there are very few independent schools within reach of our children|suitable "
            "schools are often two or three hours away|most specialist places are outside the "
            "county|rural areas have almost no options|children end up travelling long distances "
            "every day",
            "short": "Distance|Sufficiency|Lack of places|Location|Lack of local schools",
            "detail": "Transport costs then add to the problem.|Long journeys are exhausting for "
            "children.|This means children lose links with their community.|Our coastal areas "
            "are worst affected.",
        },
        {
            "key": "schools_refuse",
            "label": "Schools refusing admission",
            "definition": "Independent schools decline, delay or withdraw offers, often citing "
            "the child's behaviour, trauma, care history or previous exclusions.",
            "weight": 0.12,
            "np": "schools refusing to admit children in care|reluctance from schools to take "
            "looked-after children with challenging behaviour|offers being withdrawn after "
            "schools read the referral|schools cherry-picking pupils|rejections because of "
            "previous exclusions",
            "cl": "schools often turn our children down once they see the history|many "
            "independent schools will not take young people with trauma or SEMH needs|offers are "
            "withdrawn at the last minute|schools say they cannot meet need even when they have "
            "vacancies|some schools only accept children they see as low risk",
            "short": "Refusals|Schools saying no|Admissions",
            "detail": "We rarely get a clear reason.|This leaves children without a school place "
            "for weeks.|It is most common for teenagers.|We have no power to direct an "
            "independent school.",
        },
        {
            "key": "ehcp_delays",
            "label": "EHCP process delays",
            "definition": "Delays or difficulties with education, health and care plans: "
            "assessments, naming a school in the plan, amendments, or tribunal appeals.",
            "weight": 0.09,
            "np": "delays in EHCP assessments|the time it takes to name a school in an education, "
            "health and care plan|waiting for EHCP amendments|tribunal appeals over the named "
            "school|slow SEND processes",
            "cl": "the EHCP has to be amended before a school can be named and that takes months|"
            "assessments are delayed because of educational psychologist shortages|the SEND team "
            "and social care work to different timescales|parents and the local authority end up "
            "at tribunal over the named school",
            "short": "EHCP delays|EHCP|SEND process",
            "detail": "Statutory timescales are regularly missed.|Children in care should be "
            "prioritised but are not always.|This delays the care placement too.",
        },
        {
            "key": "quality_oversight",
            "label": "Quality and oversight concerns",
            "definition": "Worries about the quality, safety or oversight of independent "
            "schools, including inspection ratings, unregistered settings and the authority's "
            "limited ability to monitor them.",
            "weight": 0.07,
            "np": "difficulty quality assuring independent schools|concerns about the quality of "
            "some provision|the risk of unregistered settings|limited oversight of independent "
            "providers|variable inspection outcomes",
            "cl": "we have limited ability to monitor what happens in independent schools|some "
            "schools with vacancies have poor inspection outcomes|we have found children placed "
            "in settings that turned out to be unregistered|it is hard to check the quality of "
            "teaching and safeguarding",
            "short": "Quality|Oversight",
            "detail": "We rely heavily on Ofsted reports.|Visits by the virtual school are "
            "time-consuming.|Safeguarding is our first concern.",
        },
        {
            "key": "care_moves",
            "label": "Care moves disrupt schooling",
            "definition": "Changes of care placement, or their timing during the school year, "
            "make it hard to secure or keep an independent school place.",
            "weight": 0.05,
            "np": "placement moves that mean a change of school|mid-year timing of care moves|"
            "instability in the care placement|short-notice moves",
            "cl": "when a care placement breaks down the school place is often lost too|moves "
            "happen mid-term and schools cannot respond quickly|children are moved at short "
            "notice so there is no time to plan their education",
            "short": "Placement instability|Placement moves",
            "detail": "Education stability is often the last thing considered.|We are working on "
            "this with our fostering service.",
        },
        {
            "key": "poor_communication",
            "label": "Poor communication with schools",
            "definition": "Weak communication or information sharing between independent "
            "schools and the authority, for example over PEPs, attendance or progress.",
            "weight": 0.04,
            "np": "poor communication with independent schools|schools not engaging with PEPs|"
            "lack of information sharing|difficulty getting attendance data",
            "cl": "some independent schools do not engage with the PEP process|we struggle to get "
            "attendance and progress information|schools do not always tell us about incidents",
            "short": "Communication|Info sharing",
            "detail": "The virtual school spends a lot of time chasing.|This makes it hard to "
            "track progress.",
        },
    ],
}

Q3_OVERCOME = {
    "id": "q3_overcome",
    "text": "What would help your authority overcome these barriers?",
    "np_frames": "{NP}.|{NP} would help.|What would help most is {np}.|We need {np}.|{NP} is the "
    "key.|Ideally {np}.|Top of the list: {np}.|{NP} - without question.",
    "cl_frames": "It would help if {cl}.|Things would improve if {cl}.|Honestly, it would make a "
    "difference if {cl}.|It would be much easier if {cl}.",
    "second_cl_frames": "It would also help if {cl}.|Also if {cl}.|And it would help if {cl}.",
    "closers": "We would welcome a conversation about this.|This needs national leadership.|We "
    "are happy to share our approach.|Without this little will change.|This is already being "
    "discussed regionally.",
    "non_substantive": "N/A|n/a|-|none|None|don't know|No comment|Not applicable|See Q2|Not sure",
    "themes": [
        {
            "key": "more_funding",
            "label": "Additional funding",
            "definition": "More money from central government, for example a ringfenced or "
            "additional grant for placements, or extra high needs funding. Includes bare answers "
            "such as 'Funding' or 'More money'.",
            "weight": 0.34,
            "np": "more funding|additional government funding|ringfenced money for education "
            "placements of looked-after children|a realistic increase in the high needs block|"
            "extra grant to cover independent school fees|sustainable long-term funding",
            "cl": "the government gave us funding that matches the true cost|the Department for "
            "Education provided a specific grant for these placements|high needs funding kept "
            "pace with demand|there was money set aside nationally for the education of children "
            "in care",
            "short": "Funding|Funding|More money|More funding|Money|Increased funding|Funding.",
            "detail": "Current funding does not reflect the real cost.|One-year settlements make "
            "planning impossible.|Our deficit is growing every year.|Multi-year settlements "
            "would allow us to plan.",
        },
        {
            "key": "regional_commissioning",
            "label": "Regional commissioning",
            "definition": "Commissioning together with other authorities, such as regional "
            "frameworks, block contracts or agreed price caps, to improve prices and access.",
            "weight": 0.16,
            "np": "regional commissioning arrangements|a regional framework with agreed fees|"
            "joint commissioning with neighbouring authorities|block contracts with providers|"
            "collective negotiation on price",
            "cl": "authorities in the region commissioned places together|we could negotiate fees "
            "as a group rather than one by one|a shared framework set standard prices and terms|"
            "neighbouring authorities pooled their purchasing power",
            "short": "Regional framework|Joint commissioning|Commissioning",
            "detail": "We have started talks with neighbouring authorities.|Providers currently "
            "set the market price.|This worked well for residential care.",
        },
        {
            "key": "local_provision",
            "label": "Developing local provision",
            "definition": "Creating more suitable places close to home, such as new special or "
            "alternative provision, expanding maintained specialist places or opening a new "
            "school.",
            "weight": 0.14,
            "np": "more local specialist places|new local provision|expanding our own special "
            "schools|a new special free school in the area|capital investment in local "
            "alternative provision",
            "cl": "we had more suitable schools within the county|children could be educated "
            "closer to home|we were able to build our own provision instead of buying places|"
            "maintained special schools had capacity to expand",
            "short": "Local provision|More local places|New school",
            "detail": "We have a capital bid in at the moment.|Keeping children local also "
            "reduces transport costs.|It would improve outcomes as well as costs.",
        },
        {
            "key": "virtual_school_role",
            "label": "Stronger virtual school role",
            "definition": "A bigger role or more capacity for the virtual school and its head, "
            "such as earlier involvement in care planning, PEP oversight or an education "
            "advocate for each child.",
            "weight": 0.11,
            "np": "more capacity in the virtual school|earlier involvement of the virtual school "
            "head|stronger PEP oversight|an education advocate for every child in care|more "
            "virtual school staff",
            "cl": "the virtual school was involved from the start of care planning|the virtual "
            "school head had a say in every placement decision|we had capacity to visit every "
            "child placed out of area|PEPs were used properly to plan school moves",
            "short": "Virtual school|VSH involvement|Better PEPs",
            "detail": "Our virtual school team is very small.|The virtual school head currently "
            "only hears about moves afterwards.",
        },
        {
            "key": "national_guidance",
            "label": "Clearer national guidance",
            "definition": "Clearer rules or statutory guidance from the Department for "
            "Education, especially on funding responsibility and on independent schools "
            "admitting children in care.",
            "weight": 0.09,
            "np": "clearer DfE guidance|national guidance on who pays|clarity on admission duties "
            "for independent schools|a clear statutory framework|updated guidance from the "
            "Department for Education",
            "cl": "the Department for Education made funding responsibilities clear|independent "
            "schools had the same admissions duties as academies for children in care|there was "
            "one national protocol everyone followed",
            "short": "Guidance|Clear guidance|National guidance",
            "detail": "At the moment every case is negotiated separately.|The current guidance is "
            "open to interpretation.",
        },
        {
            "key": "school_relationships",
            "label": "Better relationships with schools",
            "definition": "Building relationships and trust with independent schools, for "
            "example named contacts, trauma-informed training for school staff or agreed "
            "support packages.",
            "weight": 0.07,
            "np": "better relationships with independent schools|trauma-informed training for "
            "school staff|named contacts in each school|support packages agreed with schools|a "
            "partnership agreement with local independent schools",
            "cl": "schools felt supported when they took our children|we offered training on "
            "attachment and trauma to school staff|we had a named link for each independent "
            "school|schools knew who to call when things got difficult",
            "short": "Relationships|Partnership working|Training for schools",
            "detail": "Some schools have been very positive once they know us.|Outreach from our "
            "specialist team helps.",
        },
        {
            "key": "faster_ehcp",
            "label": "Faster EHCP processes",
            "definition": "Speeding up EHCP assessments and amendments, or prioritising children "
            "in care within SEND processes.",
            "weight": 0.05,
            "np": "faster EHCP assessments|priority for children in care in the SEND process|"
            "quicker EHCP amendments|more educational psychologist capacity",
            "cl": "EHCP amendments were done within weeks not months|children in care were "
            "prioritised for assessment|SEND and social care worked to the same timescales",
            "short": "Faster EHCPs|Quicker EHCPs",
            "detail": "Delays in the EHCP hold everything up.",
        },
        {
            "key": "vacancy_information",
            "label": "Shared vacancy information",
            "definition": "A shared database, portal or brokerage service showing available "
            "independent school places, fees and quality.",
            "weight": 0.04,
            "np": "a national database of vacancies|a shared portal of available places|a "
            "regional brokerage service|real-time information on school vacancies",
            "cl": "we could see which schools had vacancies in one place|there was a single portal "
            "listing places, fees and inspection ratings|a brokerage team searched for places on "
            "our behalf",
            "short": "Vacancy database|Brokerage",
            "detail": "Staff spend days phoning round schools.",
        },
    ],
}

QUESTIONS = (Q2_BARRIERS, Q3_OVERCOME)
