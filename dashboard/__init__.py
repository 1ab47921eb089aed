"""A browser dashboard for policy analysts (``synclusive dashboard``).

The page is a Solara app, Mesa's visualisation stack. It builds a scenario file from the
analyst's choices (:mod:`dashboard.settings`), runs the same comparison with the baseline as
``synclusive compare`` in a background thread (:mod:`dashboard.jobs`), and draws the results
(:mod:`dashboard.charts`, :mod:`dashboard.tables`). Downloads reuse the comparison's own
table writer and :mod:`experiments.report`, so they equal what the command line writes.

Modules importing Solara (:mod:`dashboard.app`, :mod:`dashboard.server`) need the optional
``dashboard`` extra: ``pip install 'synclusive[dashboard]'``.
"""
