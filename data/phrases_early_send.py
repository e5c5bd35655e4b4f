"""Phrase banks for the demo survey's early years, SEND and support questions; stdlib only.

Covers q9, q10 and the "Other (please specify)" text of q8. Same layout as
``phrases_placements``. All text is original.
"""

from __future__ import annotations

Q9_TWO_YEAR_OLDS = {
    "id": "q9_two_year_olds",
    "text": "What difficulties has your authority had in delivering the funded early education "
    "offer for disadvantaged two-year-olds?",
    "np_frames": "{NP}.|The main difficulty is {np}.|{NP} is the biggest issue.|Difficulties "
    "include {np}.|Mainly {np}.|We have struggled with {np}.|{NP} - especially this year.",
    "cl_frames": "{CL}.|The problem is that {cl}.|Our sufficiency assessment shows that {cl}.|In "
    "practice {cl}.",
    "closers": "Take-up is below the national average.|This is worse in our rural areas.|We are "
    "working with providers on this.|Our early years team is small.|We report this to the "
    "Department for Education every year.",
    "non_substantive": "N/A|n/a|-|None|No difficulties|don't know|No comment|Not sure",
    "themes": [
        {
            "key": "too_few_places",
            "label": "Not enough places",
            "definition": "Too few childcare places for two-year-olds, in some areas or "
            "settings, so families cannot find a funded place.",
            "weight": 0.32,
            "np": "lack of places|not enough provision for two-year-olds|sufficiency of places in "
            "some wards|limited places in rural areas|providers being full|a shortage of "
            "two-year-old rooms",
            "cl": "there are not enough places for two-year-olds in the areas of highest need|"
            "providers are full and have waiting lists|settings have closed and not been "
            "replaced|there are simply not enough places|families are offered places miles away",
            "short": "Sufficiency|Places|Lack of places|Not enough places",
            "detail": "Several settings closed in the last year.|Rural areas have almost no "
            "provision.|Waiting lists are long in our most deprived wards.",
        },
        {
            "key": "low_funding_rate",
            "label": "Funding rate too low",
            "definition": "The hourly funding rate is too low to cover providers' costs, so "
            "settings limit or refuse funded places or charge extra.",
            "weight": 0.20,
            "np": "the low funding rate|an hourly rate that does not cover costs|providers "
            "reluctant to offer funded places because of the rate|underfunding of the "
            "entitlement",
            "cl": "the hourly rate does not cover providers' costs|providers lose money on every "
            "funded two-year-old|settings limit the number of funded places they offer|some "
            "providers ask families for top-up charges",
            "short": "Funding|Funding rate|Low rates|Underfunding",
            "detail": "Rates have not kept up with wage increases.|Providers tell us this at every "
            "forum.",
        },
        {
            "key": "early_years_staffing",
            "label": "Early years staffing shortages",
            "definition": "Difficulty recruiting and keeping qualified early years staff, which "
            "limits places because of required staffing ratios.",
            "weight": 0.15,
            "np": "staff shortages in early years|recruitment of qualified practitioners|"
            "retention of early years staff|ratios limiting places|the early years workforce",
            "cl": "providers cannot recruit enough qualified staff|rooms are closed because there "
            "are not enough staff to meet ratios|staff leave for better paid jobs in retail",
            "short": "Staffing|Recruitment|Workforce",
            "detail": "Pay is a big factor.|Level 3 practitioners are hardest to find.",
        },
        {
            "key": "low_take_up",
            "label": "Low take-up and awareness",
            "definition": "Eligible families do not know about or do not take up the offer, for "
            "example because of stigma, language or circumstances that make them hard to reach.",
            "weight": 0.12,
            "np": "low take-up|awareness among eligible families|reaching families who are "
            "eligible|stigma attached to the offer|engaging families who are hard to reach",
            "cl": "many eligible families do not know about the offer|some parents do not want "
            "their child in childcare so young|families with English as an additional language "
            "are harder to reach|take-up is lowest among the families who would benefit most",
            "short": "Take-up|Low take up|Awareness",
            "detail": "We use health visitors to promote it.|Letters home have little effect.",
        },
        {
            "key": "eligibility_checking",
            "label": "Eligibility checking problems",
            "definition": "Problems with the eligibility checking system, the lists of eligible "
            "families, or the paperwork parents must complete.",
            "weight": 0.08,
            "np": "the eligibility checking system|delays in eligibility checks|paperwork for "
            "parents|the quality of the eligible families list",
            "cl": "the eligibility checker often fails and checks have to be done manually|the "
            "lists of eligible families are out of date|parents find the application confusing",
            "short": "Eligibility checks|Eligibility|Paperwork",
            "detail": "This takes up a lot of officer time.",
        },
        {
            "key": "send_inclusion_early",
            "label": "Supporting children with SEND",
            "definition": "Settings find it hard to include two-year-olds with special "
            "educational needs or disabilities, including too little inclusion funding or "
            "specialist support.",
            "weight": 0.06,
            "np": "supporting two-year-olds with SEND|inclusion funding|providers' confidence "
            "with additional needs|access for children with complex needs",
            "cl": "settings feel unable to meet the needs of children with special educational "
            "needs and disabilities|inclusion funding does not cover one-to-one support|children "
            "with complex needs wait longer for a place",
            "short": "SEND|Inclusion",
            "detail": "Needs are being identified earlier than before.",
        },
        {
            "key": "entitlement_competition",
            "label": "Competition from other entitlements",
            "definition": "Places are taken up by the expanded entitlements for working "
            "parents, squeezing places for disadvantaged two-year-olds.",
            "weight": 0.04,
            "np": "competition from the working parent entitlement|the expansion of funded hours|"
            "places taken by working families|providers prioritising better funded children",
            "cl": "providers prioritise working families now the entitlements have expanded|the "
            "new entitlements have squeezed places for disadvantaged children",
            "short": "Expansion|Working parent hours",
            "detail": "This has got worse since the expansion.",
        },
    ],
}

Q10_SEND_ACTIONS = {
    "id": "q10_send_actions",
    "text": "Which government actions would be most helpful for your SEND services?",
    "np_frames": "{NP}.|{NP} would be most helpful.|Most helpful would be {np}.|We need {np}.|"
    "Priority: {np}.|{NP} above all.|{NP}, urgently.",
    "cl_frames": "It would help most if {cl}.|Things would improve if {cl}.|It would make a real "
    "difference if {cl}.|We would be in a far better position if {cl}.",
    "second_cl_frames": "It would also help if {cl}.|Also if {cl}.|Things would improve further "
    "if {cl}.",
    "closers": "The current system is not sustainable.|We are in a safety valve agreement.|This "
    "needs cross-government action.|Parents' confidence in the system is low.|We need certainty "
    "to plan.",
    "non_substantive": "N/A|-|none|don't know|No comment|Not sure|See previous answers",
    "themes": [
        {
            "key": "high_needs_funding",
            "label": "More high needs funding",
            "definition": "More or fairer high needs funding, or action on high needs deficits, "
            "such as writing off deficits or settling the statutory override.",
            "weight": 0.33,
            "np": "more high needs funding|action on the high needs deficit|writing off "
            "accumulated deficits|fairer distribution of high needs funding|a long-term funding "
            "settlement for SEND",
            "cl": "the government wrote off historic high needs deficits|high needs funding "
            "matched the rise in EHCPs|the statutory override was resolved permanently|funding "
            "followed need rather than history",
            "short": "Funding|More funding|High needs funding|Money|Deficit|Funding.",
            "detail": "Our deficit will exceed our reserves in two years.|Demand has doubled in "
            "five years.|The formula does not reflect local need.",
        },
        {
            "key": "send_law_reform",
            "label": "Reform of SEND legislation",
            "definition": "Changes to SEND law or the statutory framework, such as clearer "
            "thresholds for EHCPs, tribunal reform or rebalancing legal duties.",
            "weight": 0.15,
            "np": "reform of the SEND legal framework|clearer thresholds for EHCPs|reform of the "
            "tribunal system|a review of statutory SEND duties|national eligibility criteria",
            "cl": "the law set clearer thresholds for when an education, health and care plan is "
            "needed|tribunal decisions took account of resources and efficiency|legal duties were "
            "realistic and balanced across partners",
            "short": "Legislative reform|Tribunal reform|SEND reform",
            "detail": "Most tribunal decisions go against the local authority.|The system has "
            "become adversarial.",
        },
        {
            "key": "specialist_workforce",
            "label": "More specialist professionals",
            "definition": "More educational psychologists, speech and language therapists, "
            "occupational therapists and other specialists, including funded training routes.",
            "weight": 0.14,
            "np": "more educational psychologists|speech and language therapy capacity|funded "
            "training places for EPs|a national workforce plan for SEND specialists|access to "
            "occupational therapists",
            "cl": "there were enough educational psychologists to meet statutory timescales|more "
            "EPs and therapists were trained|we could recruit specialists without relying on "
            "locums",
            "short": "EPs|Workforce|More EPs|Therapists",
            "detail": "We rely on locum EPs at great cost.|Therapy waiting lists are over a year.",
        },
        {
            "key": "specialist_places_capital",
            "label": "Capital for specialist places",
            "definition": "Capital funding or approval for new special school places, resource "
            "bases and specialist units.",
            "weight": 0.12,
            "np": "capital funding for special school places|approval for new special free "
            "schools|funding for resource bases|more specialist places locally",
            "cl": "capital funding allowed us to build more specialist places|new special free "
            "schools were approved faster|we could open resource bases in mainstream schools",
            "short": "Capital|Special school places|More places",
            "detail": "Our special schools are over capacity.|Independent specialist placements "
            "are very costly.",
        },
        {
            "key": "health_accountability",
            "label": "Health partners' accountability",
            "definition": "Health bodies, such as integrated care boards, taking on and funding "
            "their share of SEND duties, with clearer accountability.",
            "weight": 0.09,
            "np": "clearer health accountability|integrated care boards contributing their share|"
            "health funding for health needs in EHCPs|joint accountability across education, "
            "health and care",
            "cl": "integrated care boards were held to account for their SEND duties|health paid "
            "for therapy in EHCPs|health partners played an equal part",
            "short": "Health|ICB contribution|Health funding",
            "detail": "Health contributions are minimal at the moment.",
        },
        {
            "key": "inclusive_mainstream",
            "label": "More inclusive mainstream schools",
            "definition": "Making mainstream schools more inclusive through accountability, "
            "funding and training, so that more children's needs are met without a specialist "
            "placement.",
            "weight": 0.08,
            "np": "more inclusive mainstream schools|accountability for inclusion in inspections|"
            "SEND training for mainstream teachers|incentives for schools to be inclusive",
            "cl": "mainstream schools were judged on how inclusive they are|teachers had better "
            "training in meeting SEND|schools were rewarded for keeping children with SEND",
            "short": "Inclusion|Mainstream inclusion",
            "detail": "Exclusions of children with SEND are rising.",
        },
        {
            "key": "send_transport",
            "label": "Home-to-school transport",
            "definition": "Help with the cost and rules of home-to-school transport for children "
            "with SEND.",
            "weight": 0.05,
            "np": "help with SEND transport costs|reform of home-to-school transport duties|"
            "funding for transport",
            "cl": "transport costs were funded separately|the rules on transport eligibility were "
            "updated",
            "short": "Transport|Transport costs",
            "detail": "Transport spend has risen by a third.",
        },
        {
            "key": "national_send_standards",
            "label": "National SEND standards",
            "definition": "Clear national standards for what support should be available, so "
            "that provision is consistent between areas.",
            "weight": 0.04,
            "np": "national SEND standards|a national framework for ordinarily available "
            "provision|consistent expectations across areas",
            "cl": "there were national standards for what support schools should provide|parents "
            "knew what to expect wherever they lived",
            "short": "National standards|Standards",
            "detail": "Expectations vary too much between authorities.",
        },
    ],
}

Q8_OTHER_SPECIFY = {
    "id": "q8_other_specify",
    "text": "Other source of support (please specify)",
    "np_frames": "{NP}|{NP}.|{NP} - very helpful.|Support from {np}.|We used {np}.",
    "cl_frames": "{CL}.|Mainly {cl}.",
    "second_cl_frames": "Also {cl}.|And {cl}.",
    "closers": "Very helpful.|Ongoing.|Alongside regional work.",
    "non_substantive": "Other|see above|-",
    "two_theme_rate": 0.1,
    "themes": [
        {
            "key": "university_partnership",
            "label": "University or teaching partnership",
            "definition": "Support from a university or a social work teaching partnership.",
            "weight": 0.40,
            "np": "our teaching partnership|the local university|a university research "
            "partnership|the teaching partnership with two universities",
            "cl": "the university ran training for our managers|our teaching partnership provides "
            "the academic element of the ASYE",
            "short": "University|Teaching partnership",
            "detail": "",
        },
        {
            "key": "health_partners",
            "label": "Health partners",
            "definition": "Support from NHS or integrated care board colleagues, such as "
            "designated professionals or jointly funded posts.",
            "weight": 0.18,
            "np": "the ICB|health colleagues|NHS partners|the designated nurse team",
            "cl": "the ICB funded a joint post|health partners supported our SEND improvement work",
            "short": "ICB|NHS|Health",
            "detail": "",
        },
        {
            "key": "consultancy",
            "label": "Commissioned consultancy",
            "definition": "Paid support from a private consultancy, an interim specialist or a "
            "commissioned improvement partner.",
            "weight": 0.14,
            "np": "a commissioned consultancy|an independent improvement consultant|a private "
            "improvement partner|external consultants",
            "cl": "we commissioned an independent consultant to review practice|a private company "
            "supported our improvement plan",
            "short": "Consultants|Consultancy|Private provider",
            "detail": "",
        },
        {
            "key": "voluntary_sector",
            "label": "Voluntary and community sector",
            "definition": "Support from charities or voluntary and community organisations.",
            "weight": 0.12,
            "np": "a national children's charity|local voluntary sector partners|a charity "
            "partner|community organisations",
            "cl": "a charity delivered training for our staff|voluntary sector partners "
            "co-designed our offer",
            "short": "Charity|Voluntary sector",
            "detail": "",
        },
        {
            "key": "in_house_team",
            "label": "Internal improvement team",
            "definition": "Support from within the authority itself, such as its own "
            "improvement, workforce or practice development team.",
            "weight": 0.09,
            "np": "our own improvement team|our in-house academy|our internal workforce "
            "development team|our principal social worker",
            "cl": "we did this ourselves through our in-house academy|our own quality assurance "
            "team led the work",
            "short": "In-house|Internal|Own team",
            "detail": "",
        },
        {
            "key": "listed_option",
            "label": "Listed option (back-code)",
            "definition": "The answer names support that is already one of the listed options, "
            "such as the Department for Education, a regional partnership or a neighbouring "
            "authority, and should be recoded to that option.",
            "weight": 0.07,
            "np": "the DfE improvement adviser|our regional improvement alliance|a neighbouring "
            "authority|the Department for Education",
            "cl": "a neighbouring authority mentored our managers|the regional partnership "
            "arranged peer support",
            "short": "DfE|Regional|Neighbouring LA",
            "detail": "",
        },
    ],
}

QUESTIONS = (Q9_TWO_YEAR_OLDS, Q10_SEND_ACTIONS, Q8_OTHER_SPECIFY)
