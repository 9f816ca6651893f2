"""The procedure after the declarations are printed.

``lifecycle``: re-consent, withdrawal, destruction and the end of the proof retention;
``corrections``: mistakes put right; ``steps``: the procedure's checklist and the video
platform's description; ``review``: what the scan reader left to a person;
``returns``: the institution's return of signed forms (situations 1 and 2).
"""
