from tortoise import migrations
from tortoise.migrations import operations as ops
from models.outbox import OutboxStatus
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_throttle'), ('models', '0010_attachments')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='OutboxItem',
            name='status',
            field=fields.CharEnumField(default=OutboxStatus.PENDING, description='PENDING: PENDING\nDELIVERED: DELIVERED\nKEPT: KEPT\nDEAD: DEAD', enum_type=OutboxStatus, max_length=16),
        ),
        # mails kept instead of sent (no SMTP server) were recorded as DELIVERED until now
        ops.RunSQL(
            "UPDATE outbox_item SET status = 'KEPT' WHERE status = 'DELIVERED' "
            "AND id IN (SELECT outbox_item_id FROM kept_mail)",
            reverse_sql="UPDATE outbox_item SET status = 'DELIVERED' WHERE status = 'KEPT'",
        ),
    ]
