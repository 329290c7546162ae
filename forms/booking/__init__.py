"""Web booking (webbtidbok, CONTRACT section 5): a citizen books, sees, rebooks and cancels times.

`interface` is what the forms app asks a mottagning's tidbok, shaped after the national scheduling
contracts; `standalone` is its default implementation in the app's own database (its tables are
forms.store.tidbok, seeded from the demo file by `seed`); `times` makes times from weekly schedules
and holds the rules of ages and windows; `reminders` queues the reminder the day before in the
notice outbox. The views (`book`: Boka tid; `change`: Omboka, Avboka; `manage`: Mina bokade tider,
the receipt, the .ics file) run the same course as a case (forms.platform.flow): villkor, steps,
check, confirm, receipt.

May use forms.notices, forms.platform, forms.identity, forms.store and sitegen.content/site.
"""
