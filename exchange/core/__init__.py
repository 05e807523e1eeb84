"""What every feature builds on: the language, the display switches, mail, the security
headers, the roles and view guards, and the command-line helpers."""
