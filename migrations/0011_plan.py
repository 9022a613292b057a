from tortoise import migrations
from tortoise.migrations import operations as ops
from models.authority_work import AuditAction
from models.outbox import OutboxStatus
from models.processing import Metric
from models.statements import StatementStatus
from models.statuses import ApplicationStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index



async def _statistics_from_history(apps, schema_editor):
    """The processing-time statistics of the history so far. The tables are derived data,
    recomputed in full, so this uses the rebuild of `luukku statistics rebuild` itself."""
    from actions.statistics import rebuild_statements

    conn = schema_editor.client
    for statement in rebuild_statements(conn.capabilities.dialect):
        await conn.execute_script(statement)


async def _no_statistics(apps, schema_editor):
    return None


class Migration(migrations.Migration):
    dependencies = [('models', '0009_outbox_kept')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ProcessingCase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.OneToOneField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='processing_case', on_delete=OnDelete.CASCADE)),
                ('permit_type_id', fields.IntField()),
                ('authority_id', fields.IntField()),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('first_handled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('waiting_since', fields.DatetimeField(null=True, description='Since when it waits for the customer, while it does', auto_now=False, auto_now_add=False)),
                ('wait_seconds', fields.IntField(default=0, description='Time spent waiting for the customer, closed waits only')),
                ('final_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('final_status', fields.CharEnumField(null=True, description='DRAFT: DRAFT\nNOT_STARTED: NOT_STARTED\nIN_PROGRESS: IN_PROGRESS\nINFORMATION_REQUESTED: INFORMATION_REQUESTED\nAPPROVED: APPROVED\nPARTIALLY_APPROVED: PARTIALLY_APPROVED\nREJECTED: REJECTED\nDISMISSED: DISMISSED\nWITHDRAWN: WITHDRAWN\nLAPSED: LAPSED\nTRANSFERRED: TRANSFERRED\nNOT_REQUIRED: NOT_REQUIRED\nPROCESSED: PROCESSED', enum_type=ApplicationStatus, max_length=24)),
            ],
            options={'table': 'processing_case', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The processing-time facts of one submitted application.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProcessingHistogram',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('permit_type_id', fields.IntField()),
                ('authority_id', fields.IntField()),
                ('metric', fields.CharEnumField(description='FIRST_HANDLING: FIRST_HANDLING\nDECISION: DECISION\nCUSTOMER_WAIT: CUSTOMER_WAIT', enum_type=Metric, max_length=16)),
                ('period', fields.DateField(description='First day of the month the case was counted in')),
                ('days', fields.IntField()),
                ('cases', fields.IntField(default=0)),
                ('within_typical', fields.IntField(default=0, description="DECISION: cases within the catalogue's typical processing days")),
            ],
            options={'table': 'processing_histogram', 'app': 'models', 'unique_together': (('permit_type_id', 'authority_id', 'metric', 'period', 'days'),), 'indexes': [Index(fields=['period'])], 'pk_attr': 'id', 'table_description': 'How many cases took `days` whole days, per permit type, authority, metric and month.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StatementRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', db_constraint=True, to_field='id', related_name='statement_requests', on_delete=OnDelete.CASCADE)),
                ('requesting_authority', fields.ForeignKeyField('models.Organisation', source_field='requesting_authority_id', db_constraint=True, to_field='id', related_name='statements_requested', on_delete=OnDelete.RESTRICT)),
                ('asked_authority', fields.ForeignKeyField('models.Organisation', source_field='asked_authority_id', db_constraint=True, to_field='id', related_name='statements_asked', on_delete=OnDelete.RESTRICT)),
                ('question', fields.TextField(unique=False)),
                ('due_date', fields.DateField()),
                ('status', fields.CharEnumField(default=StatementStatus.OPEN, description='OPEN: OPEN\nANSWERED: ANSWERED\nDECLINED: DECLINED\nCANCELLED: CANCELLED', enum_type=StatementStatus, max_length=16)),
                ('requested_by', fields.ForeignKeyField('models.Person', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='statement_requests_made', on_delete=OnDelete.RESTRICT)),
                ('requested_by_label', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('answer', fields.TextField(null=True, unique=False)),
                ('decline_reason', fields.TextField(null=True, unique=False)),
                ('answered_at', fields.DatetimeField(null=True, description='Answered, declined or cancelled', auto_now=False, auto_now_add=False)),
                ('answered_by', fields.ForeignKeyField('models.Person', source_field='answered_by_id', null=True, db_constraint=True, to_field='id', related_name='statements_answered', on_delete=OnDelete.RESTRICT)),
                ('answered_by_label', fields.CharField(null=True, max_length=200)),
                ('is_shared_with_customer', fields.BooleanField(default=False, description='The handling authority shared the texts with the customer')),
            ],
            options={'table': 'statement_request', 'app': 'models', 'indexes': [Index(fields=['application_id', 'id']), Index(fields=['asked_authority_id', 'status', 'due_date']), Index(fields=['requesting_authority_id', 'status', 'due_date'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='AuditEntry',
            name='action',
            field=fields.CharEnumField(description='CONTENT_READ: CONTENT_READ\nEXPORT: EXPORT\nASSIGNMENT: ASSIGNMENT\nSTATUS_CHANGE: STATUS_CHANGE\nDECISION: DECISION\nNOTICE_REDIRECT: NOTICE_REDIRECT\nATTACHMENT_READ: ATTACHMENT_READ\nSUBMISSION: SUBMISSION\nSTATEMENT: STATEMENT', enum_type=AuditAction, max_length=24),
        ),
        ops.AddField(
            model_name='Organisation',
            name='notification_email',
            field=fields.CharField(null=True, description='Authorities: where statement requests are sent', max_length=254),
        ),
        ops.AlterField(
            model_name='OutboxItem',
            name='status',
            field=fields.CharEnumField(default=OutboxStatus.PENDING, description='PENDING: PENDING\nDELIVERED: DELIVERED\nKEPT: KEPT\nDEAD: DEAD\nCANCELLED: CANCELLED', enum_type=OutboxStatus, max_length=16),
        ),
        ops.AddIndex(
            model_name='OutboxItem',
            index=Index(fields=['application_id', 'status']),
        ),
        ops.AddField(
            model_name='PermitKind',
            name='requires',
            field=fields.JSONField(default=list, description="Codes of the kinds whose decision an application of this kind needs before it is submitted (the permit plan's dependencies)", encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.RunPython(_statistics_from_history, _no_statistics),
    ]
