"""The operations layer: every task the web, the CLI (and a later API) perform, written once.

An operation takes the database, the acting account and plain values; it checks the rules
and the account's permission, does the work through storage, and writes the audit log. The
edges only translate: form fields and command-line options in, pages and printed lines out,
and ``survey.errors`` to statuses or exit codes. So a rule such as the allowed minimum group
size, or which files an invitation list may be, lives here and nowhere else, and the web
and the CLI cannot drift apart again.

The command line acts as ``accounts.operator()``, an admin named after the system user, so
what it does is audited like what a signed-in admin does.
"""
