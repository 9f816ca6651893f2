"""The documents formgen prints and hands out.

``declarations``: a recording's declarations and the supervisor's request letter;
``render``: forms to one print-ready PDF and the layout a reader needs, made of
``templates`` (Jinja2 and the message catalogues), ``forms`` (what a form is made of, and
its HTML), ``qr``, ``fonts`` (what no installed font can print), ``weasy`` (WeasyPrint
itself), ``layout`` (where everything landed), ``masters`` (one laid-out master per class
set) and ``receipt`` (an online answer as the declaration answered); ``export``: the
consent record as JSON; ``audit``: the privacy officer's CSV.
"""
