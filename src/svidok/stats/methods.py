"""The estimation methods by name, and the smallest stratum estimated: what the CLI and API offer."""

#: Below this many documented people a stratum is not estimated: the models then say more
#: about their assumptions than about the data.
MIN_RECORDS = 20

METHODS = ("loglinear", "lcmcr", "dga")
