"""Web booking (webbtidbok, CONTRACT section 5): a citizen books, sees, rebooks and cancels times.

`interface` is what the forms app asks a mottagning's tidbok, shaped after the national scheduling
contracts; `standalone` is its default implementation in the app's own database (`tables`, seeded
from the demo file by `seed`); `times` makes times from weekly schedules and holds the rules of
ages and windows; the views run the same course as a case (forms.platform.flow): villkor, steps,
check, confirm, receipt.

May use forms.platform, forms.identity, forms.store and sitegen.content/site.
"""
