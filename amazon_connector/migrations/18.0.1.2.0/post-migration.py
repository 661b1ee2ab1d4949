"""18.0.1.2.0: packages keep the reference Amazon knows them by (their id, before), and the
placeholder customers lose any buyer's address Odoo had copied onto them."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("UPDATE amazon_package SET reference = id::text WHERE reference IS NULL")
    cr.execute(
        """
        UPDATE res_partner
           SET street = NULL, street2 = NULL, zip = NULL,
               city = NULL, state_id = NULL, country_id = NULL, phone = NULL, email = NULL
         WHERE amazon_address_key LIKE 'anonymous:%%'
        """
    )
