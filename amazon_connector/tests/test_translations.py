"""The addon speaks the EU marketplaces' languages: its .pot holds every term Odoo exports
from the code and views as they are now, each language translates all of them, and Odoo
loads them."""

from pathlib import Path

import polib
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

I18N = Path(__file__).resolve().parents[1] / "i18n"
LANGUAGES = {"de": "de_DE", "fr": "fr_FR", "es": "es_ES", "it": "it_IT"}


@tagged("post_install", "-at_install", "amazon_connector")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = polib.pofile(str(I18N / "amazon_connector.pot"))
        cls.terms = {entry.msgid for entry in cls.template if not entry.obsolete}

    def test_the_template_holds_every_term_of_the_code_and_views(self):
        exported = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in (
                TranslationModuleReader(self.env.cr, modules=["amazon_connector"])
            )
            if module == "amazon_connector" and source
        }
        self.assertGreater(len(exported), 500)
        self.assertEqual(
            sorted(exported - self.terms), [], "missing from the .pot: run scripts/i18n"
        )
        self.assertEqual(
            sorted(self.terms - exported), [], "obsolete in the .pot: run scripts/i18n"
        )

    def test_each_language_translates_every_term(self):
        for language in LANGUAGES:
            with self.subTest(language=language):
                catalogue = polib.pofile(str(I18N / f"{language}.po"))
                translated = {
                    entry.msgid
                    for entry in catalogue
                    if entry.msgstr and not entry.obsolete and "fuzzy" not in entry.flags
                }
                self.assertEqual(sorted(self.terms - translated), [])

    def test_odoo_shows_the_screens_in_the_users_language(self):
        field = self.env["ir.model.fields"]._get("amazon.channel", "dashboard_late")
        for language, code in LANGUAGES.items():
            with self.subTest(language=language):
                self.env["res.lang"]._activate_lang(code)
                self.env["ir.module.module"]._load_module_terms(["amazon_connector"], [code])
                catalogue = polib.pofile(str(I18N / f"{language}.po"))
                expected = catalogue.find(field.field_description).msgstr
                self.assertTrue(expected)
                self.assertEqual(field.with_context(lang=code).field_description, expected)
                # and the strings of the code
                wording = self.env["amazon.error"].with_context(lang=code)
                source = "Prime"
                self.assertEqual(wording.env._(source), catalogue.find(source).msgstr)
