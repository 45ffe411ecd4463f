"""Everything the user reads: message texts and keyboards, one module per area.

* ``markup``: escaping, clipping, buttons and date phrases (the only place text is escaped).
* ``cards``: an application's card and keyboards, /list pages, /prospects.
* ``reminders``: the scheduled messages (plan, check, review, closing dates, prep, check-ins).
* ``settings``: /settings, /nudges and the interview texts.
* ``insights``: /funnel, /stats, /week, /report, /chart captions and the /import dialogue.
* ``onboarding``: the greeting and timezone question, /dates, /help pages, hints for the unknown.
* ``privacy``: the bot's description, /privacy and /forget.
* ``people``: contact cards and lists, /stats network, the partner's summary, the group board.

Views take domain objects and return HTML text (and a keyboard); they never read storage or the
clock. Handlers parse, call the domain and storage, and hand the result to a view.
"""
