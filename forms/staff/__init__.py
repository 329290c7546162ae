"""The mottagning's side (personalverktyget, CONTRACT section 6) under `{forms_url}personal/`.

Staff log in with their own session (forms.staff.session), see only their own mottagningar and
what their roles allow (forms.staff.roles; everything else is 404), work the cases (list, page,
actions), and every read, list and change is written to the append-only access log
(forms.staff.accesslog), which the granskare searches. The standalone tidbok's staff pages
(tidbok_views: time types, schedule, closed days; tidbok_day: the day view) work on its tables in
forms.store, since forms.booking is a sibling feature this package may not import. The
tidsbokare's pages (tidbok_booking: Boka tid åt invånare; tidbok_change: Omboka, Avboka;
tidbok_week: the week) ask the tidbok the app holds through tidbok_port's small interface.
"""
