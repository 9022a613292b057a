// A form rendered from a JSON Schema of the catalogue (permit forms, shared data): strings,
// dates, numbers, booleans, enumerations and nested objects, labelled by `x-label`, with the
// server's field errors shown at their fields.
import styled from 'styled-components';
import { Checkbox, Dropdown, DropdownItem, TextInput, Textarea } from 'suomifi-ui-components';
import type { Json, JsonSchema } from './api';
import { useI18n } from './i18n';
import { Dl, spacing, useListboxName } from './ui';

const Fieldset = styled.fieldset`
  border: none;
  padding: 0;
  margin: 0 0 ${spacing.m};
  display: flex;
  flex-direction: column;
  gap: ${spacing.m};
  legend {
    font-size: 20px;
    font-weight: 600;
    margin-bottom: ${spacing.s};
    padding: 0;
  }
`;

interface Props {
  schema: JsonSchema;
  value: Json;
  onChange(value: Json): void;
  /** Error messages by dotted path below the form's root. */
  errors: Record<string, string>;
  idPrefix: string;
  /** Only these top-level sections (shared data), in this order. */
  sections?: string[];
  /** Mark the schema's required fields as needed ("optional" on the others). */
  showRequired?: boolean;
}

function label(schema: JsonSchema, name: string, lang: 'fi' | 'sv' | 'en'): string {
  return schema['x-label']?.[lang] ?? schema.title ?? name;
}

export function SchemaForm({ schema, value, onChange, errors, idPrefix, sections, showRequired = true }: Props) {
  const names = sections ?? Object.keys(schema.properties ?? {});
  return (
    <>
      {names.map((name) => {
        const sub = schema.properties?.[name];
        if (!sub) return null;
        return (
          <Field
            key={name}
            name={name}
            path={[name]}
            schema={sub}
            required={(schema.required ?? []).includes(name)}
            value={value[name]}
            onChange={(v) => {
              const next = { ...value };
              if (v === undefined) delete next[name];
              else next[name] = v;
              onChange(next);
            }}
            errors={errors}
            idPrefix={idPrefix}
            showRequired={showRequired}
          />
        );
      })}
    </>
  );
}

interface FieldProps {
  name: string;
  path: string[];
  schema: JsonSchema;
  required: boolean;
  value: unknown;
  onChange(value: unknown): void;
  errors: Record<string, string>;
  idPrefix: string;
  showRequired: boolean;
}

function Field({ name, path, schema, required, value, onChange, errors, idPrefix, showRequired }: FieldProps) {
  const { lang, t } = useI18n();
  const id = `${idPrefix}-${path.join('-')}`;
  const text = label(schema, name, lang);
  const error = errors[path.join('.')];
  const optionalText = showRequired && !required ? t('form.optional') : undefined;
  const status = error ? ('error' as const) : ('default' as const);
  if (schema.type === 'object') {
    const obj = (value as Json | undefined) ?? {};
    return (
      <Fieldset id={id}>
        <legend>{text}</legend>
        {Object.entries(schema.properties ?? {}).map(([child, sub]) => (
          <Field
            key={child}
            name={child}
            path={[...path, child]}
            schema={sub}
            required={(schema.required ?? []).includes(child)}
            value={obj[child]}
            onChange={(v) => {
              const next = { ...obj };
              if (v === undefined) delete next[child];
              else next[child] = v;
              onChange(Object.keys(next).length ? next : undefined);
            }}
            errors={errors}
            idPrefix={idPrefix}
            showRequired={showRequired}
          />
        ))}
        {error && <p className="luukku-error">{error}</p>}
      </Fieldset>
    );
  }
  if (schema.type === 'boolean') {
    return (
      <Checkbox
        id={id}
        checked={value === true}
        onClick={({ checkboxState }) => onChange(checkboxState)}
        status={status}
        statusText={error}
      >
        {text}
      </Checkbox>
    );
  }
  if (schema.enum) {
    return <EnumField id={id} text={text} schema={schema} value={value} onChange={onChange} error={error} optionalText={optionalText} />;
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    return (
      <TextInput
        id={id}
        labelText={text}
        type="text"
        inputMode={schema.type === 'integer' ? 'numeric' : 'decimal'}
        value={value === undefined || value === null ? '' : String(value)}
        onChange={(v) => {
          const raw = String(v ?? '').trim().replace(',', '.');
          if (raw === '') onChange(undefined);
          else onChange(Number.isNaN(Number(raw)) ? raw : Number(raw));
        }}
        status={status}
        statusText={error}
        optionalText={optionalText}
      />
    );
  }
  const stringValue = typeof value === 'string' ? value : '';
  const set = (v: string) => onChange(v === '' ? undefined : v);
  if ((schema.maxLength ?? 0) > 500) {
    return (
      <Textarea
        id={id}
        labelText={text}
        value={stringValue}
        onChange={(e) => set(e.target.value)}
        status={status}
        statusText={error}
        optionalText={optionalText}
        fullWidth
      />
    );
  }
  const type = schema.format === 'email' ? 'email' : schema.format === 'uri' ? 'url' : 'text';
  return (
    <TextInput
      id={id}
      labelText={text}
      type={type}
      value={stringValue}
      onChange={(v) => set(String(v ?? ''))}
      status={status}
      statusText={error}
      optionalText={optionalText}
      hintText={schema.format === 'date' ? t('form.dateHint') : undefined}
      fullWidth
    />
  );
}

function EnumField({
  id,
  text,
  schema,
  value,
  onChange,
  error,
  optionalText,
}: {
  id: string;
  text: string;
  schema: JsonSchema;
  value: unknown;
  onChange(value: unknown): void;
  error?: string;
  optionalText?: string;
}) {
  const { lt, t } = useI18n();
  useListboxName(id);
  return (
    <Dropdown
      id={id}
      labelText={text}
      value={typeof value === 'string' ? value : null}
      visualPlaceholder={t('form.choose')}
      onChange={(v) => onChange(v)}
      status={error ? 'error' : 'default'}
      statusText={error}
      optionalText={optionalText}
    >
      {(schema.enum ?? []).map((option) => (
        <DropdownItem key={option} value={option}>
          {lt(schema['x-enumLabels']?.[option]) || option}
        </DropdownItem>
      ))}
    </Dropdown>
  );
}

/** The same data, read-only. */
export function SchemaView({ schema, value, sections }: { schema: JsonSchema; value: Json; sections?: string[] }) {
  const { lang, lt, t, date } = useI18n();
  const names = sections ?? Object.keys(schema.properties ?? {});
  const show = (sub: JsonSchema, v: unknown): string => {
    if (v === undefined || v === null || v === '') return '–';
    if (sub.type === 'boolean') return v ? t('common.yes') : t('common.no');
    if (sub.enum && typeof v === 'string') return lt(sub['x-enumLabels']?.[v]) || v;
    if (sub.format === 'date' && typeof v === 'string') return date(v);
    return String(v);
  };
  return (
    <Dl>
      {names.flatMap((name) => {
        const sub = schema.properties?.[name];
        if (!sub) return [];
        if (sub.type === 'object') {
          const obj = (value[name] as Json | undefined) ?? {};
          return Object.entries(sub.properties ?? {}).flatMap(([child, s]) => [
            <dt key={`${name}.${child}-t`}>
              {label(sub, name, lang)}: {label(s, child, lang)}
            </dt>,
            <dd key={`${name}.${child}-d`}>{show(s, obj[child])}</dd>,
          ]);
        }
        return [<dt key={`${name}-t`}>{label(sub, name, lang)}</dt>, <dd key={`${name}-d`}>{show(sub, value[name])}</dd>];
      })}
    </Dl>
  );
}
