/** @odoo-module **/
/**
 * The daily paths of the back office and the admin, each a tour run by TestTours (which sets
 * up the data and checks what the tour did on the server side).
 */
import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const tours = registry.category("web_tour.tours");

/** Open an entry of a Sales menu: Amazon's (menu_amazon_root) or Configuration's. */
function openSalesMenu(parent, xmlid, content) {
    return [
        ...stepUtils.goToAppSteps("sale.sale_menu_root", "Open Sales"),
        {
            content: `Open the menu ${parent}`,
            trigger: `.o-dropdown[data-menu-xmlid="${parent}"]`,
            run: "click",
        },
        {
            content,
            trigger: `.o-dropdown-item[data-menu-xmlid="amazon_connector.${xmlid}"]`,
            run: "click",
        },
    ];
}

/**
 * Look an order up by its Amazon order id, the first field of the Amazon orders' and
 * deliveries' searches (the suite's database may hold more rows than a page).
 */
function searchAmazonOrder(orderId) {
    return [
        {
            content: `Look up the Amazon order ${orderId}`,
            trigger: "input.o_searchview_input",
            run: `edit ${orderId}`,
        },
        {
            content: "Search it by Amazon order id",
            trigger: "input.o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The list is filtered by that order",
            trigger: `.o_searchview_facet:contains("${orderId}")`,
        },
    ];
}

const openAmazonMenu = (xmlid, content) =>
    openSalesMenu("amazon_connector.menu_amazon_root", xmlid, content);
const openAmazonSettings = (xmlid, content) =>
    openSalesMenu("sale.menu_sale_config", xmlid, content);

tours.add("amazon_delivery_validate_tour", {
    url: "/odoo",
    steps: () => [
        ...openAmazonMenu("menu_amazon_pickings", "Open Amazon deliveries"),
        {
            content: "The list opens on what is to ship",
            trigger: '.o_searchview_facet:contains("To Ship")',
        },
        ...searchAmazonOrder("028-1111111-1111111"),
        {
            content: "Open the delivery of the tour's order",
            trigger: '.o_data_row:contains("028-1111111-1111111") .o_data_cell[name="name"]',
            run: "click",
        },
        {
            content: "Carrier and tracking are under Additional Info",
            trigger: '.o_notebook .nav-link[name="extra"]',
            run: "click",
        },
        {
            content: "Choose the carrier",
            trigger: '.o_field_widget[name="carrier_id"] input',
            run: "edit Tour Parcel",
        },
        {
            content: "Pick it",
            trigger: '.o-autocomplete--dropdown-item:contains("Tour Parcel")',
            run: "click",
        },
        {
            content: "Enter the tracking number",
            trigger: '.o_field_widget[name="carrier_tracking_ref"] input',
            run: "edit JJD0099887766",
        },
        {
            content: "Validate",
            trigger: '.o_statusbar_buttons button[name="button_validate"]',
            run: "click",
        },
        {
            content: "Done",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Done")',
        },
        {
            content: "Open the Amazon tab",
            trigger: '.o_notebook .nav-link[name="amazon"]',
            run: "click",
        },
        {
            content: "Amazon is told with the next shipment run",
            trigger: '.o_field_widget[name="amazon_sync_state"]:contains("To send")',
        },
    ],
});

tours.add("amazon_delivery_sent_tour", {
    url: "/odoo",
    steps: () => [
        ...openAmazonMenu("menu_amazon_pickings", "Open Amazon deliveries"),
        {
            content: "Show every delivery, not only those to ship",
            trigger: '.o_searchview_facet:contains("To Ship") .o_facet_remove',
            run: "click",
        },
        ...searchAmazonOrder("028-1111111-1111111"),
        {
            content: "The delivery shows Amazon's acceptance in the list",
            trigger:
                '.o_data_row:contains("028-1111111-1111111") .o_data_cell[name="amazon_sync_state"]:contains("Accepted")',
        },
    ],
});

tours.add("amazon_status_mapping_tour", {
    url: "/odoo",
    steps: () => [
        ...openAmazonSettings("menu_amazon_status_mapping", "Open the status mapping"),
        {
            content: "Open the channel's group",
            trigger: '.o_group_header:contains("Tour Shop")',
            run: "click",
        },
        {
            content: "Pending merchant orders: change what Odoo does",
            trigger:
                '.o_data_row:contains("Merchant (FBM)"):contains("Pending (payment") .o_data_cell[name="action"]',
            run: "click",
        },
        {
            content: "Import them as quotations",
            trigger: '.o_selected_row .o_field_widget[name="action"] select',
            run: 'select "quotation"',
        },
        {
            content: "Save",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger:
                '.o_data_row:not(.o_selected_row):contains("Pending (payment"):contains("Import as quotation")',
        },
    ],
});

tours.add("amazon_cancel_order_tour", {
    url: "/odoo",
    steps: () => [
        ...openAmazonMenu("menu_amazon_orders", "Open Amazon orders"),
        ...searchAmazonOrder("028-2222222-2222222"),
        {
            content: "Open the order to cancel",
            trigger: '.o_data_row:contains("028-2222222-2222222") .o_data_cell[name="name"]',
            run: "click",
        },
        {
            content: "Cancel it",
            trigger: '.o_statusbar_buttons button[name="action_cancel"]',
            run: "click",
        },
        {
            content: "Amazon wants a reason",
            trigger: '.modal .o_field_widget[name="reason"] select',
            run: 'select "CustomerExchange"',
        },
        {
            content: "Cancel the order",
            trigger: '.modal button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "Cancelled in Odoo",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Cancelled")',
        },
        {
            content: "Open the Amazon tab",
            trigger: '.o_notebook .nav-link[name="amazon"]',
            run: "click",
        },
        {
            content: "Amazon is told with the next cancellation run",
            trigger: '.o_field_widget[name="amazon_sync_state"]:contains("To send")',
        },
        {
            content: "Meanwhile, in the background, Amazon accepts the cancellation",
            trigger: '.o_field_widget[name="amazon_sync_state"]',
            async run() {
                const orderId = parseInt(window.location.pathname.split("/").pop(), 10);
                await rpc("/web/dataset/call_kw/sale.order/write", {
                    model: "sale.order",
                    method: "write",
                    args: [[orderId], { amazon_sync_state: "accepted" }],
                    kwargs: {},
                });
            },
        },
        {
            content: "The open order shows it by itself, without a reload",
            trigger: '.o_field_widget[name="amazon_sync_state"]:contains("Accepted")',
        },
    ],
});

tours.add("amazon_channel_setup_tour", {
    url: "/odoo?debug=1",
    steps: () => [
        ...openAmazonSettings("menu_amazon_channel", "Open the channels"),
        {
            content: "New channel",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: '.o_field_widget[name="name"] input',
            run: "edit Tour Setup Shop",
        },
        {
            content: "Seller ID from Seller Central",
            trigger: '.o_field_widget[name="seller_id"] input',
            run: "edit A1TOURSETUP",
        },
        {
            content: "Connecting comes first: the credentials",
            trigger: '.o_notebook .nav-link[name="credentials"].active',
        },
        {
            content: "A self-authorised app's refresh token",
            trigger: '.o_field_widget[name="refresh_token"] input',
            run: "edit Atzr|tour-setup-token",
        },
        {
            content: "Then the marketplaces",
            trigger: '.o_notebook .nav-link[name="marketplaces"]',
            run: "click",
        },
        {
            content: "Its marketplaces",
            trigger: '.o_field_widget[name="marketplace_ids"] input',
            run: "edit Amazon.de",
        },
        {
            content: "Pick Amazon.de",
            trigger: '.o-autocomplete--dropdown-item:contains("Amazon.de")',
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Before the first import, the channel says what it will do",
            trigger: '.o_notebook .nav-link[name="orders"]',
            run: "click",
        },
        {
            content: "Unshipped merchant orders come in confirmed; Pending ones do not",
            trigger:
                '.o_field_widget[name="import_preview"]:contains("Unshipped: Import and confirm"):contains("Pending (payment not authorised): not imported")',
        },
        {
            content: "Test the connection",
            trigger: '.o_statusbar_buttons button[name="action_test_connection"]',
            run: "click",
        },
        {
            content: "Amazon answers",
            trigger: '.o_notification:contains("Connected")',
        },
        {
            content: "The channel says it is connected",
            trigger: '.o_field_widget[name="state"]:contains("Connected")',
        },
    ],
});
