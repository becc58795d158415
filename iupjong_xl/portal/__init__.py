"""The portal: a Korean, server-rendered web application (Django) on the service layer and the ledger. Club
secretaries upload their report and read every finding at its cell; nothing is installed on their PC.

Optional: `pip install iupjong-xl[portal]`. The command line and the add-in work without it. The portal calls only
iupjong_xl.service (tests/test_layout.py holds it to that).

- folder.py: the portal folder (ledger, accounts database, secret key, settings file)
- settings.py, urls.py, wsgi.py: Django's project files; middleware.py: the upload cap and the security headers
- accounts/: accounts with a role (club, federation, center), the login form
- front/: the pages (the club's page with the upload form, the submissions and one submission's findings)
- commands.py: what `iupjong portal init | user add | serve` do
"""
