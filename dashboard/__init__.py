"""A browser dashboard for policy analysts (``synclusive dashboard``).

The page is a Solara app, Mesa's visualisation stack. It builds a scenario file from the
analyst's choices (:mod:`dashboard.settings`), runs the same comparison with the baseline as
``synclusive compare`` in a background thread (:mod:`dashboard.jobs`), and draws the results
(:mod:`dashboard.charts`, :mod:`dashboard.tables`). The results table comes from the
comparison's own writer, so it equals what the command line writes; the HTML report
(:mod:`dashboard.report`) holds what the page shows, in the command line report's style.

Modules importing Solara (:mod:`dashboard.app`, :mod:`dashboard.server`) need the optional
``dashboard`` extra: ``pip install 'synclusive[dashboard]'``.
"""
