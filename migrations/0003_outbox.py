from tortoise import migrations
from tortoise.migrations import operations as ops
from models.outbox import OutboxKind, OutboxStatus
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_authority_work')]

    initial = False

    operations = [
        ops.CreateModel(
            name='KeptMail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('outbox_item_id', fields.IntField(unique=True)),
                ('to', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=300)),
                ('text', fields.TextField(unique=False)),
                ('html', fields.TextField(unique=False)),
                ('language', fields.CharField(max_length=2)),
                ('kept_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'kept_mail', 'app': 'models', 'pk_attr': 'id', 'table_description': "A mail kept instead of sent, when no SMTP server is configured (the demo's mailbox)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='EMAIL: EMAIL\nDELIVERY: DELIVERY', enum_type=OutboxKind, max_length=16)),
                ('status', fields.CharEnumField(default=OutboxStatus.PENDING, description='PENDING: PENDING\nDELIVERED: DELIVERED\nDEAD: DEAD', enum_type=OutboxStatus, max_length=16)),
                ('event_id', fields.CharField(unique=True, description='Stable id (CloudEvents id)', max_length=64)),
                ('topic', fields.CharField(description='e.g. application.submitted', max_length=64)),
                ('authority_id', fields.IntField(null=True, description='The authority concerned (its admins see it)')),
                ('application_id', fields.IntField(null=True)),
                ('payload', fields.JSONField(description='E-mail: to, subject, text, html. Delivery: url, event.', encoder=JSON_DUMPS, decoder=loads)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('locked_by', fields.CharField(null=True, max_length=64)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_item', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['authority_id', 'status', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Organisation',
            name='system_secrets',
            field=fields.JSONField(default=list, description='Webhook signing secrets, newest first (rotation: sign with all)', encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
