"""Every figure Svidok shows: victim selection, breakdowns, dashboard and displacement figures,
the named queries of briefs, and the inputs of estimates.

``stats`` holds the mathematics (pure functions of counts); ``figures`` decides which records
a figure counts and reads them, with need-to-know; ``reports`` lays figures out in briefs.
"""
