from datetime import timedelta

from odoo import models

MANAGER_GROUP = "amazon_connector.group_amazon_manager"
# Reminder stages: days before the expiry date.
REMINDER_STAGES = [("30", "30 days before"), ("7", "7 days before")]


class AmazonExpiryReminder(models.AbstractModel):
    """Reminders before something Amazon expires (a seller's authorisation, the app's
    secret): one activity and one message to the connector's managers 30 days before, and
    again 7 days before. The record keeps the last stage it reminded of, so a daily cron
    reminds once per stage."""

    _name = "amazon.expiry.reminder"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Amazon Expiry Reminders"

    def _remind_expiry(self, stage_field, expiry, today, activity_type, summary, note):
        self.ensure_one()
        if not expiry:
            return
        days_left = (expiry - today).days
        stage = "7" if days_left <= 7 else "30" if days_left <= 30 else False
        if not stage or self[stage_field] in (stage, "7"):
            return
        managers = self._reminder_recipients()
        owner = self._reminder_owner(managers)
        # The owner is e-mailed the activity itself; the other managers get the message.
        self.activity_schedule(
            activity_type,
            date_deadline=max(today, expiry - timedelta(days=1)),
            summary=summary,
            note=note,
            user_id=owner.id,
        )
        self.message_post(
            body=note,
            subject=summary,
            partner_ids=(managers - owner).partner_id.ids,
            subtype_xmlid="mail.mt_comment",
        )
        self[stage_field] = stage

    def _reminder_owner(self, managers):
        """Who gets the to-do: the record's responsible if a manager, else a manager."""
        owner = self["user_id"] if "user_id" in self._fields else self.env["res.users"]
        return owner if owner in managers else managers[:1] or self.env.user

    def _reminder_recipients(self):
        """Active internal users who manage the connector (of the record's company, if any)."""
        company = self["company_id"] if "company_id" in self._fields else None
        return self.env.ref(MANAGER_GROUP).users.filtered(
            lambda user: (
                user.active and not user.share and (not company or company in user.company_ids)
            )
        )
