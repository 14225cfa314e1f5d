"""The directory: organizations' services, locations and contacts, search, resource sheets,
logos and Open Referral HSDS import and export. Its models live in the stakeholders app
(same app label, same tables) and are registered through ``stakeholders.models``."""
