from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

from models.authority_work import AuditAction


class DescriptionOnly(ops.AlterField):
    """The field's description changes (an enum gained a value), its column does not: a
    VARCHAR either way. Only the migration state changes; on SQLite a real AlterField would
    rebuild the table (and drop its indexes) for nothing."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        return None

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):  # type: ignore[no-untyped-def]
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0005_inbox_counts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuthSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(description="The configured provider's name", max_length=64)),
                ('issuer', fields.CharField(max_length=500)),
                ('subject', fields.CharField(max_length=255)),
                ('issuer_sid', fields.CharField(null=True, description="The ID token's sid", max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(description='Absolute end, whatever the activity', auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('acting_for', fields.ForeignKeyField('models.Organisation', source_field='acting_for_id', null=True, db_constraint=True, to_field='id', related_name='sessions_acting_for', on_delete=OnDelete.SET_NULL)),
                ('mandate', fields.JSONField(null=True, description="The mandate answer: service, organisations with roles, checked_at, and the mandate service's own session (for re-checks)", encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'auth_session', 'app': 'models', 'indexes': [Index(fields=['person_id', 'revoked_at'])], 'pk_attr': 'id', 'table_description': 'Browser sessions (revocable, with idle and absolute lifetimes).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuthRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('state_hash', fields.CharField(unique=True, max_length=64)),
                ('browser_hash', fields.CharField(description='SHA-256 of the login cookie that binds it to one browser', max_length=64)),
                ('kind', fields.CharField(description='LOGIN or MANDATE', max_length=16)),
                ('provider', fields.CharField(max_length=64)),
                ('nonce', fields.CharField(max_length=128)),
                ('code_verifier', fields.CharField(max_length=128)),
                ('return_to', fields.CharField(max_length=500)),
                ('session', fields.ForeignKeyField('models.AuthSession', source_field='session_id', null=True, db_constraint=True, to_field='id', related_name='requests', on_delete=OnDelete.CASCADE)),
                ('extra', fields.JSONField(default=dict, description="Mandate service's session id etc.", encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'auth_request', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Logins under way (state, nonce, PKCE), each used once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MembershipGrant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('membership', fields.OneToOneField('models.Membership', source_field='membership_id', db_constraint=True, to_field='id', related_name='grant', on_delete=OnDelete.CASCADE)),
                ('issuer', fields.CharField(max_length=500)),
                ('rule', fields.CharField(description='The rule that matched, as text', max_length=300)),
                ('granted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'membership_grant', 'app': 'models', 'pk_attr': 'id', 'table_description': "Memberships given by an issuer's mapping rules at sign-in."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonCodeIndex',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.OneToOneField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='code_index', on_delete=OnDelete.CASCADE)),
                ('key_version', fields.IntField(description='Version of the HMAC key (HETU_INDEX_KEYS)')),
                ('digest', fields.CharField(unique=True, description='HMAC-SHA256, hex', max_length=64)),
            ],
            options={'table': 'person_code_index', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Blind index of personal identity codes: the same person across issuers.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonIdentity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='identities', on_delete=OnDelete.CASCADE)),
                ('issuer', fields.CharField(max_length=500)),
                ('subject', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'person_identity', 'app': 'models', 'unique_together': (('issuer', 'subject'),), 'pk_attr': 'id', 'table_description': 'Who a person is at an OpenID Connect issuer (its iss and sub).'},
            bases=['Model'],
        ),
        # audit entries of submissions made for an organisation record the mandate basis
    DescriptionOnly(
        model_name='AuditEntry',
        name='action',
        field=fields.CharEnumField(description='CONTENT_READ: CONTENT_READ\nEXPORT: EXPORT\nASSIGNMENT: ASSIGNMENT\nSTATUS_CHANGE: STATUS_CHANGE\nDECISION: DECISION\nNOTICE_REDIRECT: NOTICE_REDIRECT\nSUBMISSION: SUBMISSION', enum_type=AuditAction, max_length=24),
    ),
    ]
