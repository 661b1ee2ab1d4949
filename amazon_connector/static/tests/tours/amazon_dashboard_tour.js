/** @odoo-module **/
/**
 * The back office's morning: open Sales > Amazon, follow the channel's figures to the lists
 * they count, and see late orders in red. Data: TestTours.test_dashboard_tour.
 */
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

const shown = {};

function readFigure(figure) {
    return {
        content: `Read the card's ${figure} figure`,
        trigger: `.o_amazon_dashboard .o_kanban_record:contains("Tour Shop") .o_amazon_${figure} .o_amazon_count`,
        run() {
            shown[figure] = parseInt(this.anchor.textContent.trim(), 10);
        },
    };
}

const backToDashboard = {
    content: "Back to the dashboard",
    trigger: ".o_breadcrumb li.breadcrumb-item:first-child a",
    run: "click",
};

function followFigure(figure, facet) {
    return [
        {
            content: `Follow the card's ${figure} figure`,
            trigger: `.o_amazon_dashboard .o_kanban_record:contains("Tour Shop") .o_amazon_${figure}`,
            run: "click",
        },
        {
            content: `The list is filtered by ${facet} and the channel`,
            trigger: `.o_searchview_facet:contains("${facet}") ~ .o_searchview_facet:contains("Tour Shop"), .o_searchview_facet:contains("Tour Shop") ~ .o_searchview_facet:contains("${facet}")`,
        },
        {
            content: "It shows as many rows as the card said",
            trigger: ".o_list_view",
            run() {
                const rows = document.querySelectorAll(".o_list_view .o_data_row").length;
                if (rows !== shown[figure]) {
                    throw new Error(
                        `${figure}: the card said ${shown[figure]}, the list shows ${rows}`
                    );
                }
            },
        },
    ];
}

registry.category("web_tour.tours").add("amazon_dashboard_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("sale.sale_menu_root", "Open Sales"),
        {
            content: "Open the Amazon menu",
            trigger: '.o-dropdown[data-menu-xmlid="amazon_connector.menu_amazon_root"]',
            run: "click",
        },
        {
            content: "Its first entry is the dashboard",
            trigger: '.o-dropdown-item[data-menu-xmlid="amazon_connector.menu_amazon_dashboard"]',
            run: "click",
        },
        readFigure("to_ship"),
        readFigure("due_today"),
        readFigure("late"),
        ...followFigure("due_today", "Due Today"),
        backToDashboard,
        ...followFigure("late", "Late"),
        {
            content: "Late orders show their ship-by date in red",
            trigger: ".o_data_row td[name='amazon_latest_ship_date'].text-danger",
        },
        backToDashboard,
        ...followFigure("to_ship", "To Ship"),
    ],
});
