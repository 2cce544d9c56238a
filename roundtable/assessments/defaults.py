"""The default Vulnerability Assessment Framework factors (the framework published in 2012).

Each area gets its own copy on first need (``services.factors_for``); administrators then
rename, add and retire factors for their area. The key lets the copy be made exactly once.
Check the wording against current Home Office guidance before relying on it."""

ENGAGEMENT, INTENT, CAPABILITY = "engagement", "intent", "capability"

# (key, dimension, label)
DEFAULT_FACTORS = [
    ("grievance", ENGAGEMENT, "Feelings of grievance and injustice"),
    ("threat", ENGAGEMENT, "Feeling under threat"),
    ("identity", ENGAGEMENT, "A need for identity, meaning and belonging"),
    ("status", ENGAGEMENT, "A desire for status"),
    ("excitement", ENGAGEMENT, "A desire for excitement and adventure"),
    ("dominate", ENGAGEMENT, "A need to dominate and control others"),
    ("indoctrination", ENGAGEMENT, "Susceptibility to indoctrination"),
    ("change", ENGAGEMENT, "A desire for political or moral change"),
    ("opportunistic", ENGAGEMENT, "Opportunistic involvement"),
    ("family", ENGAGEMENT, "Family or friends involved in extremism"),
    ("transition", ENGAGEMENT, "Being at a transitional time of life"),
    ("influenced", ENGAGEMENT, "Being influenced or controlled by a group"),
    ("mental_health", ENGAGEMENT, "Relevant mental health issues"),
    ("over_identification", INTENT, "Over-identification with a group or ideology"),
    ("them_and_us", INTENT, "“Them and us” thinking"),
    ("dehumanisation", INTENT, "Dehumanisation of the enemy"),
    ("justify_offending", INTENT, "Attitudes that justify offending"),
    ("harmful_means", INTENT, "Harmful means to an end"),
    ("harmful_objectives", INTENT, "Harmful objectives"),
    ("knowledge", CAPABILITY, "Individual knowledge, skills and competencies"),
    ("access", CAPABILITY, "Access to networks, funding or equipment"),
    ("criminal", CAPABILITY, "Criminal capability"),
]
