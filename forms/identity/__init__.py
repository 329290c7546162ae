"""Who the citizen is: identity providers (the test login and a real e-legitimation),
personnummer rules, the demo identity data and the record system (prescriptions).

No Flask views and no database: may use nothing else of forms.
"""
