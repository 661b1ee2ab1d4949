/** @odoo-module **/
/**
 * A form or list showing records whose Amazon state a run just changed (a delivery sent, an
 * order cancelled or shipped on Amazon) reloads by itself, unless the user is editing it.
 * The server announces the changes on Odoo's bus ("amazon_connector.changed", {model, ids}).
 */
import { onWillUnmount } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";
import { ListController } from "@web/views/list/list_controller";

const NOTIFICATION = "amazon_connector.changed";

function useAmazonRefresh(refresh) {
    const busService = useService("bus_service");
    const handler = (payload) => refresh(payload.model, new Set(payload.ids));
    busService.subscribe(NOTIFICATION, handler);
    onWillUnmount(() => busService.unsubscribe(NOTIFICATION, handler));
}

patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        useAmazonRefresh(async (model, ids) => {
            const record = this.model.root;
            if (!record || record.resModel !== model || !ids.has(record.resId)) {
                return;
            }
            if (!(await record.isDirty())) {
                await record.load();
            }
        });
    },
});

patch(ListController.prototype, {
    setup() {
        super.setup(...arguments);
        useAmazonRefresh(async (model, ids) => {
            const list = this.model.root;
            if (!list || list.resModel !== model || list.editedRecord) {
                return;
            }
            if (list.records.some((record) => ids.has(record.resId))) {
                await this.model.load();
            }
        });
    },
});
