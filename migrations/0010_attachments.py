from tortoise import migrations
from tortoise.migrations import operations as ops
from models.attachments import AttachmentOwner, ScanStatus
from models.authority_work import AuditAction
from models.outbox import OutboxKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_signin')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Attachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner_kind', fields.CharEnumField(description='APPLICATION: APPLICATION\nSUPPLEMENT: SUPPLEMENT\nMESSAGE: MESSAGE\nDECISION: DECISION', enum_type=AttachmentOwner, max_length=16)),
                ('owner_id', fields.IntField(description='Id of the owner row (application, supplement, ...)')),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('application', fields.ForeignKeyField('models.Application', source_field='application_id', null=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.RESTRICT)),
                ('requirement_kind', fields.CharField(null=True, description="The permit type's attachment requirement it meets", max_length=64)),
                ('name', fields.CharField(description='File name as given (checked)', max_length=255)),
                ('content_type', fields.CharField(description='Detected from the content', max_length=128)),
                ('size', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('storage_key', fields.CharField(null=True, description='Null once removed', max_length=128)),
                ('scan_status', fields.CharEnumField(default=ScanStatus.PENDING, description='PENDING: PENDING\nCLEAN: CLEAN\nINFECTED: INFECTED\nSCAN_FAILED: SCAN_FAILED\nNOT_SCANNED: NOT_SCANNED', enum_type=ScanStatus, max_length=16)),
                ('scan_result', fields.CharField(null=True, description='e.g. the signature', max_length=200)),
                ('scanned_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('uploaded_by', fields.ForeignKeyField('models.Person', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='attachments_uploaded', on_delete=OnDelete.RESTRICT)),
                ('uploaded_by_label', fields.CharField(max_length=200)),
                ('uploader_system_id', fields.IntField(null=True, description='The authority whose system uploaded it (API-client tokens)')),
                ('acting_for', fields.ForeignKeyField('models.Organisation', source_field='acting_for_id', null=True, db_constraint=True, to_field='id', related_name='attachments_acted_for', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('removed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('removed_by_label', fields.CharField(null=True, max_length=200)),
            ],
            options={'table': 'attachment', 'app': 'models', 'indexes': [Index(fields=['owner_kind', 'owner_id']), Index(fields=['application_id', 'id']), Index(fields=['project_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StoredSecret',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.CharField(max_length=200)),
            ],
            options={'table': 'stored_secret', 'app': 'models', 'pk_attr': 'name', 'table_description': 'A secret the installation generates once and shares between its processes (e.g. the'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='AuditEntry',
            name='action',
            field=fields.CharEnumField(description='CONTENT_READ: CONTENT_READ\nEXPORT: EXPORT\nASSIGNMENT: ASSIGNMENT\nSTATUS_CHANGE: STATUS_CHANGE\nDECISION: DECISION\nNOTICE_REDIRECT: NOTICE_REDIRECT\nATTACHMENT_READ: ATTACHMENT_READ\nSUBMISSION: SUBMISSION', enum_type=AuditAction, max_length=24),
        ),
        ops.AlterField(
            model_name='OutboxItem',
            name='kind',
            field=fields.CharEnumField(description='EMAIL: EMAIL\nDELIVERY: DELIVERY\nSCAN: SCAN', enum_type=OutboxKind, max_length=16),
        ),
        ops.AddField(
            model_name='PermitType',
            name='attachment_requirements',
            field=fields.JSONField(default=list, description='The attachments it needs: kind, name, required, types, maxBytes', encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='PermitType',
            name='attachment_types',
            field=fields.JSONField(default=list, description='Content types allowed for attachments without a requirement', encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
