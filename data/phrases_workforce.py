"""Phrase banks for the demo survey's workforce questions (q5, q6, q7); pure data, stdlib only.

Same layout as ``phrases_placements``. All text is original.
"""

from __future__ import annotations

Q5_ASYE_EFFECTIVE = {
    "id": "q5_asye_effective",
    "text": "In what ways has the ASYE programme been effective for newly qualified social "
    "workers?",
    "np_frames": "{NP}.|{NP} has been the most effective part.|The biggest benefit is {np}.|"
    "Newly qualified social workers value {np}.|{NP} - consistently positive feedback.|Mainly "
    "{np}.|Above all {np}.",
    "cl_frames": "{CL}.|Feedback shows that {cl}.|We have seen that {cl}.|Our evaluation found "
    "that {cl}.|Managers tell us {cl}.",
    "closers": "Feedback from the cohort is very positive.|We review the programme each year.|"
    "Practice supervisors play a big part.|The programme is valued across the service.|Our "
    "principal social worker leads this.",
    "non_substantive": "N/A|n/a|-|Too early to say|don't know|No comment|Not sure",
    "themes": [
        {
            "key": "supervision_support",
            "label": "Supervision and support",
            "definition": "Regular, protected supervision and dedicated support from a named "
            "assessor, practice educator, mentor or supervisor during the first year.",
            "weight": 0.35,
            "np": "regular protected supervision|support from a dedicated ASYE assessor|having a "
            "named mentor|fortnightly reflective supervision|the consistent support of practice "
            "supervisors|good supervision",
            "cl": "newly qualified social workers get regular reflective supervision|each NQSW "
            "has a named assessor who knows them well|supervision is protected and rarely "
            "cancelled|practice educators give them a safe space to reflect|they always know who "
            "to go to for support",
            "short": "Supervision|Support|Good supervision|Mentoring",
            "detail": "Supervision is weekly for the first six weeks.|This helps them feel safe "
            "to ask questions.|Assessors are trained practice educators.",
        },
        {
            "key": "protected_caseload",
            "label": "Protected caseloads",
            "definition": "A reduced or protected caseload, or a gradual increase in case "
            "complexity, so that new social workers are not overwhelmed.",
            "weight": 0.18,
            "np": "protected caseloads|a reduced caseload|a gradual build-up of case complexity|"
            "a capped number of children|time to learn before taking complex cases",
            "cl": "caseloads are capped at around 80% of a full caseload|newly qualified social "
            "workers do not hold child protection cases in the first months|complexity is "
            "increased gradually over the year|protected caseloads give them time to do the work "
            "properly",
            "short": "Protected caseload|Reduced caseload|Caseloads",
            "detail": "This is harder to maintain when teams are short-staffed.|Managers check "
            "caseloads monthly.",
        },
        {
            "key": "confidence_skills",
            "label": "Builds confidence and skills",
            "definition": "The programme improves new social workers' confidence, competence and "
            "practice skills, such as assessment, direct work and analysis.",
            "weight": 0.16,
            "np": "growing confidence in practice|improved assessment skills|more confident "
            "direct work with children|better analysis and critical thinking|stronger practice "
            "skills",
            "cl": "new social workers become confident much more quickly|their assessment writing "
            "improves noticeably over the year|they develop good direct work skills with children "
            "and families|by the end of the year they are confident practitioners",
            "short": "Confidence|Skills|Builds confidence",
            "detail": "Managers see the difference in case audits.|The portfolio evidences this "
            "progress.",
        },
        {
            "key": "retention",
            "label": "Improved retention",
            "definition": "New social workers stay with the authority after the first year, "
            "with lower turnover or fewer early leavers.",
            "weight": 0.12,
            "np": "better retention of newly qualified staff|lower turnover in the first two "
            "years|fewer NQSWs leaving|staff staying beyond the first year",
            "cl": "most of our ASYE cohort are still with us two years later|retention of newly "
            "qualified social workers has improved since we strengthened the programme|new "
            "social workers are less likely to leave for agency work|turnover in the first year "
            "has fallen",
            "short": "Retention|Staff retention",
            "detail": "Retention has gone from about 60% to over 85%.|This saves on agency costs.",
        },
        {
            "key": "peer_learning",
            "label": "Peer learning and cohort",
            "definition": "Learning with and from other new social workers, for example cohort "
            "groups, action learning sets or peer support networks.",
            "weight": 0.09,
            "np": "peer support from the cohort|action learning sets|a strong cohort identity|"
            "group reflective sessions|peer networks across teams",
            "cl": "new social workers learn a lot from each other in the cohort sessions|action "
            "learning sets help them solve problems together|the cohort becomes a support network "
            "that lasts beyond the year",
            "short": "Peer support|Cohort|Action learning",
            "detail": "Sessions are held monthly.|Some cohorts keep meeting after the year ends.",
        },
        {
            "key": "structured_training",
            "label": "Structured training programme",
            "definition": "A planned programme of training days, workshops, learning plans and "
            "portfolio work across the year.",
            "weight": 0.06,
            "np": "a structured training programme|protected training days|the core learning "
            "offer|clear learning plans|workshops on key practice areas",
            "cl": "there is a clear timetable of training across the year|each NQSW has a "
            "learning plan reviewed at three, six and twelve months|the workshops cover the areas "
            "they find hardest",
            "short": "Training|Training programme",
            "detail": "Training covers court skills and assessment.|The portfolio keeps learning "
            "on track.",
        },
        {
            "key": "recruitment_draw",
            "label": "Helps recruitment",
            "definition": "The programme helps attract applicants and improves the authority's "
            "reputation as a place to start a social work career.",
            "weight": 0.04,
            "np": "attracting newly qualified applicants|our reputation as a good place to start|"
            "a stronger recruitment offer|interest from students",
            "cl": "students choose us because of our ASYE offer|our programme is a selling point "
            "in recruitment|we get many more applications for ASYE posts than before",
            "short": "Recruitment|Attracting staff",
            "detail": "Students on placement often apply.",
        },
    ],
}

Q6_LD_PRIORITIES = {
    "id": "q6_ld_priorities",
    "text": "What are your authority's learning and development priorities for social workers?",
    "np_frames": "{NP}.|Our priority is {np}.|Main priority: {np}.|{NP} is a key focus this "
    "year.|Focus on {np}.|Priorities include {np}.|{NP} across the service.",
    "cl_frames": "{CL}.|This year we want to ensure {cl}.|A key aim is that {cl}.|We need to make "
    "sure {cl}.",
    "closers": "This is set out in our workforce strategy.|Our academy coordinates this.|Linked "
    "to our last inspection.|We are investing in this over three years.|Training is mandatory for "
    "all social workers.",
    "non_substantive": "N/A|-|see attached|don't know|No comment|TBC|Not sure",
    "themes": [
        {
            "key": "practice_model",
            "label": "Embedding the practice model",
            "definition": "Training that embeds the authority's practice framework or "
            "approach, such as relational, strengths-based, restorative or systemic practice.",
            "weight": 0.30,
            "np": "embedding our practice model|relational and strengths-based practice|training "
            "in systemic practice|restorative approaches across the service|consistent use of our "
            "practice framework|family-led approaches",
            "cl": "every social worker understands and uses our practice framework|practice is "
            "relational and strengths-based|all staff complete systemic practice training|our "
            "approach is used consistently from the front door to leaving care",
            "short": "Practice model|Relational practice|Systemic practice|Strengths-based "
            "practice",
            "detail": "We have trained practice leads in each team.|Audits show it is not yet "
            "consistent.|Families tell us they notice the difference.",
        },
        {
            "key": "manager_development",
            "label": "Developing managers",
            "definition": "Developing team managers, practice supervisors and future leaders, "
            "including supervision skills and leadership programmes.",
            "weight": 0.17,
            "np": "developing our first-line managers|a leadership programme for team managers|"
            "supervision skills for practice supervisors|growing our own future leaders|support "
            "for newly promoted managers",
            "cl": "team managers have the skills to give high quality supervision|newly promoted "
            "managers get a structured programme|we grow our own leaders rather than relying on "
            "interims",
            "short": "Management development|Leadership|Managers",
            "detail": "Manager turnover has been high.|We use an external leadership programme.",
        },
        {
            "key": "exploitation_harm",
            "label": "Exploitation and extra-familial harm",
            "definition": "Skills to respond to risks outside the family, such as criminal or "
            "sexual exploitation, county lines, online harm and contextual safeguarding.",
            "weight": 0.14,
            "np": "extra-familial harm|child criminal exploitation|contextual safeguarding|county "
            "lines and exploitation|online harm and sexual exploitation",
            "cl": "staff can recognise and respond to exploitation|social workers understand "
            "contextual safeguarding|we respond well to risks outside the home",
            "short": "Exploitation|CCE|Contextual safeguarding",
            "detail": "This came out of a local safeguarding practice review.|Joint training with "
            "police is planned.",
        },
        {
            "key": "assessment_recording",
            "label": "Assessment and recording quality",
            "definition": "Improving the quality of assessments, analysis and case recording, "
            "including writing to and for the child.",
            "weight": 0.11,
            "np": "the quality of assessments|analysis in assessments and plans|case recording|"
            "writing for the child|SMART planning",
            "cl": "assessments include clear analysis not just description|records are written so "
            "children can understand them later|plans are specific and measurable",
            "short": "Recording|Assessment quality|Analysis",
            "detail": "Audits show analysis is our weakest area.|Children have told us records "
            "are hard to read.",
        },
        {
            "key": "court_skills",
            "label": "Court and legal skills",
            "definition": "Skills for pre-proceedings and care proceedings: evidence, "
            "statements, the Public Law Outline and giving evidence in court.",
            "weight": 0.09,
            "np": "court skills|preparing evidence for care proceedings|work under the Public Law "
            "Outline|statement writing|confidence in giving evidence",
            "cl": "social workers are confident in the witness box|PLO work is timely and well "
            "evidenced|court statements are clear and concise",
            "short": "Court skills|PLO|Court work",
            "detail": "Our legal team runs these sessions.|Judges have fed back on statement "
            "quality.",
        },
        {
            "key": "staff_wellbeing",
            "label": "Staff wellbeing and resilience",
            "definition": "Looking after the wellbeing of social workers: resilience, managing "
            "secondary trauma and stress, and manageable workloads.",
            "weight": 0.07,
            "np": "staff wellbeing|resilience and managing secondary trauma|support for staff "
            "mental health|manageable workloads|reflective spaces for staff",
            "cl": "staff feel supported when cases are distressing|we reduce burnout and sickness "
            "absence|social workers have time and space to reflect",
            "short": "Wellbeing|Resilience|Staff wellbeing",
            "detail": "Sickness absence has risen.|We have introduced clinical supervision for "
            "some teams.",
        },
        {
            "key": "domestic_abuse_neglect",
            "label": "Domestic abuse and neglect",
            "definition": "Practice with families affected by domestic abuse or neglect, such "
            "as recognising coercive control, working with perpetrators or using a neglect "
            "assessment tool.",
            "weight": 0.06,
            "np": "domestic abuse|coercive control|neglect|working with perpetrators|use of the "
            "neglect toolkit",
            "cl": "social workers recognise coercive control and respond safely|neglect is "
            "identified earlier|we work with perpetrators not just victims",
            "short": "Domestic abuse|Neglect|DA",
            "detail": "Most of our referrals involve domestic abuse.",
        },
        {
            "key": "digital_skills",
            "label": "Digital skills and technology",
            "definition": "Using digital systems and new technology well, including the case "
            "management system, data, and speech-to-text or other recording tools.",
            "weight": 0.06,
            "np": "digital skills|using our new case management system|technology to reduce "
            "recording time|data literacy|speech-to-text recording tools",
            "cl": "staff make full use of the case management system|social workers use "
            "technology to save time on recording|managers use data to understand their teams",
            "short": "Digital skills|IT|Technology",
            "detail": "We are moving to a new recording system next year.",
        },
    ],
}

Q7_IRO_EXAMPLES = {
    "id": "q7_iro_examples",
    "text": "Please give examples of how the Independent Reviewing Officer role is effective in "
    "your authority.",
    "np_frames": "{NP}.|For example, {np}.|Examples include {np}.|{NP} is a good example.|One "
    "example is {np}.|We have seen {np}.",
    "cl_frames": "{CL}.|For example, {cl}.|In one case {cl}.|Recently {cl}.|Our IRO annual "
    "report shows that {cl}.",
    "closers": "Independent Reviewing Officers are valued by children and carers.|The IRO service "
    "reports to the DCS.|This is tracked in our performance reports.|Caseloads allow this.|We "
    "have a stable IRO team.",
    "non_substantive": "N/A|-|See annual report|don't know|No comment|Not sure",
    "themes": [
        {
            "key": "challenge_escalation",
            "label": "Challenge and escalation",
            "definition": "IROs challenge practice and use the dispute resolution or escalation "
            "process when plans are not progressing or decisions are poor.",
            "weight": 0.33,
            "np": "IRO challenge through the escalation process|formal challenge to team "
            "managers|use of the dispute resolution process|escalations to senior managers|"
            "challenge when plans are not progressing",
            "cl": "IROs escalated concerns about delayed permanence and the plan was changed|an "
            "IRO challenged a decision to move a child and the move was stopped|IROs raise "
            "practice alerts when actions are not completed|escalations are logged and most are "
            "resolved at the first stage|an IRO challenged the lack of a life story plan and it "
            "was completed",
            "short": "Challenge|Escalation|Escalations|Practice alerts",
            "detail": "We logged over 100 escalations last year.|Most are resolved informally.|"
            "Themes from escalations go to the leadership team.",
        },
        {
            "key": "child_voice",
            "label": "Child's voice in reviews",
            "definition": "IROs make sure children's wishes and feelings shape reviews and "
            "plans, for example by meeting the child first or supporting children to chair their "
            "review.",
            "weight": 0.20,
            "np": "children's voices in their reviews|meeting children before each review|"
            "child-led reviews|letters to children after their review|children chairing their "
            "own reviews",
            "cl": "IROs meet every child before their review|children choose where and how their "
            "review happens|IROs write to the child after each review in plain language|a young "
            "person chaired her own review with IRO support",
            "short": "Child's voice|Voice of the child|Child-led reviews",
            "detail": "Participation has increased over the year.|Children say they feel "
            "listened to.",
        },
        {
            "key": "prevent_drift",
            "label": "Preventing drift in plans",
            "definition": "IROs track care plans between reviews so that permanence and other "
            "actions happen on time and drift is prevented.",
            "weight": 0.14,
            "np": "tracking of care plans between reviews|preventing drift in permanence "
            "planning|midway checks on actions|oversight of permanence plans",
            "cl": "IROs check progress midway between reviews so actions do not drift|permanence "
            "plans are tracked and delays are picked up early|IRO oversight prevented drift for "
            "several children waiting for adoption",
            "short": "Drift|Preventing drift|Permanence tracking",
            "detail": "This is recorded on the child's file.|It has improved timeliness of "
            "permanence.",
        },
        {
            "key": "iro_continuity",
            "label": "Consistent IRO relationship",
            "definition": "Children keep the same IRO over time and build a trusted relationship "
            "with them.",
            "weight": 0.10,
            "np": "continuity of the same IRO|long-term relationships with children|a consistent "
            "IRO for each child|the same IRO since the child came into care",
            "cl": "most children have had the same IRO for years|children know their IRO and "
            "trust them|the IRO is often the most consistent professional in a child's life",
            "short": "Continuity|Consistency|Same IRO",
            "detail": "We keep IRO turnover low.|This matters when social workers change.",
        },
        {
            "key": "iro_quality_reporting",
            "label": "Quality assurance and reporting",
            "definition": "IROs contribute to quality assurance: audits, the annual IRO report, "
            "and reporting themes to senior leaders and the corporate parenting board.",
            "weight": 0.09,
            "np": "the IRO annual report|IRO contributions to audits|reporting themes to the "
            "corporate parenting board|quality assurance of care plans|regular reports to senior "
            "leaders",
            "cl": "IROs feed themes into our quality assurance framework|the annual report informs "
            "service improvements|IRO findings are reported to corporate parenting board|IROs "
            "take part in monthly case audits",
            "short": "Quality assurance|QA|Annual report",
            "detail": "Members take a keen interest.|This led to changes in our sufficiency plan.",
        },
        {
            "key": "involving_carers_parents",
            "label": "Involving parents and carers",
            "definition": "IROs involve parents, carers and other professionals in reviews and "
            "improve joint working around the child.",
            "weight": 0.07,
            "np": "involving parents and carers in reviews|good relationships with foster carers|"
            "joint working with health and schools|inclusion of birth parents",
            "cl": "IROs make sure carers and parents can contribute to the review|IROs bring "
            "health, education and social care together around the child|birth parents tell us "
            "they feel included",
            "short": "Partnership|Involving carers|Parents involved",
            "detail": "Reviews are held at times that suit carers.",
        },
        {
            "key": "timely_reviews",
            "label": "Timely reviews",
            "definition": "Reviews are held on time, and records of reviews are completed and "
            "shared promptly.",
            "weight": 0.07,
            "np": "timely reviews|reviews held within timescales|prompt review records|good "
            "timeliness",
            "cl": "almost all reviews are held within timescale|review records are shared within "
            "20 working days|timeliness has improved every year",
            "short": "Timeliness|Timely reviews|On time",
            "detail": "Timeliness is over 95%.|This is reported monthly.",
        },
    ],
}

QUESTIONS = (Q5_ASYE_EFFECTIVE, Q6_LD_PRIORITIES, Q7_IRO_EXAMPLES)
