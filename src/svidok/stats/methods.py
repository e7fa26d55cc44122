"""The estimation methods by name, and the smallest stratum estimated: what the CLI and API offer."""

#: Below this many documented people a stratum is not estimated: the models then say more
#: about their assumptions than about the data.
MIN_RECORDS = 20

#: closedp (Rcapture's closed-population models M0 … Mbh) prints a table of models for a counts file;
#: it is not offered for stratified database estimates.
METHODS = ("loglinear", "lcmcr", "dga", "closedp")
