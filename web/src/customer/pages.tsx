// The customer's side: projects, starting one (also from a PTV deep link), the survey and
// its suggestions, the shared data, the project page (live) and each application.
import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  Checkbox,
  Dropdown,
  DropdownItem,
  Heading,
  InlineAlert,
  Modal,
  ModalContent,
  ModalFooter,
  ModalTitle,
  Paragraph,
  RadioButton,
  RadioButtonGroup,
  TextInput,
  Textarea,
} from 'suomifi-ui-components';
import { useClient, useQuery } from 'urql';
import {
  APPLICATION,
  APPLICATION_CREATE,
  APPLICATION_SHARE,
  APPLICATION_SUBMIT,
  APPLICATION_UPDATE,
  APPLICATION_WITHDRAW,
  CATALOGUE,
  DEEP_LINK,
  OFFERED,
  PERMIT_NEEDS,
  PROJECT,
  PROJECT_CREATE,
  PROJECT_UPDATE,
  PROJECTS,
  SHARED_DATA_SCHEMA,
  SUPPLEMENT_SUBMIT,
  SURVEY,
  type ApplicationSummary,
  type Attachment,
  type AttachmentRequirement,
  type Json,
  type JsonSchema,
  type LocalizedText,
  type Project,
  type StatementRequest,
  type StatusChange,
  type UserError,
} from '../api';
import { Attachments } from '../attachments';
import { DecisionView, Discussion, LiveAnnouncer, StatusHistory, SupplementList, useEventText, useProjectActivity } from '../common';
import { useI18n } from '../i18n';
import { AppLink, match, navigate, type Location } from '../router';
import { SchemaForm, SchemaView } from '../SchemaForm';
import { StatementList } from '../statements';
import { representedOrganisations, useSession } from '../session';
import {
  Card,
  Dl,
  ErrorNote,
  Loading,
  Row,
  Section,
  Stack,
  StatusTag,
  UserErrorsNote,
  errorsUnder,
  isDate,
  latestVersion,
  useListboxName,
  usePayloadMutation,
  useSmallScreen,
} from '../ui';
import { evaluate, type Answers } from './survey';
import { Timeline } from './Timeline';

export default function CustomerPages({ location }: { location: Location }) {
  const { path } = location;
  let params;
  if (path === '/') return <Home />;
  if (path === '/start') return <Start service={location.query.get('service')} />;
  if ((params = match('/projects/:id', path))) return <ProjectPage id={params.id} />;
  if ((params = match('/projects/:id/survey', path))) return <SurveyPage id={params.id} />;
  if ((params = match('/projects/:id/shared-data', path))) return <SharedDataPage id={params.id} />;
  if ((params = match('/applications/:id', path))) return <ApplicationPage id={params.id} />;
  return <NotFound />;
}

export function NotFound() {
  const { t } = useI18n();
  return (
    <Stack>
      <Heading variant="h1">{t('notFound.heading')}</Heading>
      <Paragraph>{t('notFound.text')}</Paragraph>
      <AppLink to="/">{t('notFound.home')}</AppLink>
    </Stack>
  );
}

/** The page's heading; `objectId` names the project or application the page shows (the e2e test checks that a notice's link landed on it). */
function H1({ children, objectId }: { children: string; objectId?: string }) {
  const small = useSmallScreen();
  return (
    <div data-object-id={objectId}>
      <Heading variant="h1" smallScreen={small} mb="m">
        {children}
      </Heading>
    </div>
  );
}

// --- home: for whom I act, and my projects -------------------------------------------------

interface ProjectListItem {
  id: string;
  name: string;
  startsOn: string | null;
  municipality: { name: LocalizedText };
  serviceBundle: { name: LocalizedText };
  owner: { __typename: 'Person'; id?: string; name: string } | { __typename: 'Organisation'; id?: string; name: string };
  applications: { nodes: { id: string; status: string; statusLabel: LocalizedText }[] };
}

function ActingFor() {
  const { t } = useI18n();
  const session = useSession();
  const [problem, setProblem] = useState<string | null>(null);
  const orgs = representedOrganisations(session.viewer);
  const mandates = session.viewer.mandateSelectionUrl;
  if (orgs.length === 0 && !mandates)
    return null;
  if (orgs.length === 0 && mandates)
    return (
      <Card>
        <Paragraph>
          <a href={mandates}>{t('acting.mandates')}</a>
        </Paragraph>
      </Card>
    );
  const value = session.actingFor.kind === 'self' ? 'self' : session.actingFor.id;
  return (
    <Card>
      <RadioButtonGroup
        labelText={t('acting.label')}
        groupHintText={t('acting.hint')}
        name="acting-for"
        value={value}
        groupStatus={problem ? 'error' : 'default'}
        groupStatusText={problem ?? undefined}
        onChange={(v) => {
          const org = orgs.find((o) => o.id === v);
          void session.setActingFor(org ? { kind: 'organisation', id: org.id, name: org.name } : { kind: 'self' }).then(setProblem);
        }}
      >
        {[
          ...(session.viewer.canActPersonally
            ? [
                <RadioButton key="self" value="self">
                  {t('acting.self', { name: session.viewer.person?.name ?? '' })}
                </RadioButton>,
              ]
            : []),
          ...orgs.map((o) => (
            <RadioButton key={o.id} value={o.id}>
              {o.name}
            </RadioButton>
          )),
        ]}
      </RadioButtonGroup>
      {mandates && (
        <Paragraph mt="s">
          <a href={mandates}>{t('acting.mandates')}</a>
        </Paragraph>
      )}
    </Card>
  );
}

function Home() {
  const { t, lt, date } = useI18n();
  const session = useSession();
  const [{ data, fetching, error }] = useQuery<{ projects: { nodes: ProjectListItem[] } }>({ query: PROJECTS });
  const mine = (data?.projects.nodes ?? []).filter((p) =>
    session.actingFor.kind === 'self'
      ? p.owner.__typename === 'Person' && p.owner.id === session.viewer.person?.id
      : p.owner.__typename === 'Organisation' && p.owner.id === session.actingFor.id,
  );
  return (
    <>
      <H1>{t('home.heading')}</H1>
      <ActingFor />
      <Row>
        <Button onClick={() => navigate('/start')}>{t('home.start')}</Button>
      </Row>
      <ErrorNote error={error} />
      {fetching && !data ? (
        <Loading />
      ) : mine.length === 0 ? (
        <Paragraph>{t('home.none')}</Paragraph>
      ) : (
        <ul className="luukku-cards" aria-label={t('home.listLabel')}>
          {mine.map((p) => (
            <li key={p.id}>
              <Card>
                <h2 className="luukku-h2">
                  <AppLink to={`/projects/${p.id}`}>{p.name}</AppLink>
                </h2>
                <Paragraph>
                  {lt(p.serviceBundle.name)} · {lt(p.municipality.name)}
                  {p.startsOn && <> · {t('project.starts', { date: date(p.startsOn) })}</>}
                </Paragraph>
                <Row>
                  {p.applications.nodes.map((a) => (
                    <StatusTag key={a.id} label={a.statusLabel} />
                  ))}
                </Row>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

// --- start a project ---------------------------------------------------------------------

interface Catalogue {
  serviceBundles: { id: string; code: string; name: LocalizedText; description: LocalizedText }[];
  municipalities: { code: string; name: LocalizedText; isAland: boolean }[];
}

function Start({ service }: { service: string | null }) {
  const { t, lt } = useI18n();
  const session = useSession();
  const [{ data, error }] = useQuery<Catalogue>({ query: CATALOGUE });
  const [{ data: deep }] = useQuery<{
    permitTypes: { nodes: { id: string; name: LocalizedText; serviceBundleCodes: string[]; authority: { name: LocalizedText } }[] };
  }>({ query: DEEP_LINK, variables: { ptv: service ?? '' }, pause: !service });
  const deepPermit = deep?.permitTypes.nodes[0];
  const [bundle, setBundle] = useState<string>('');
  const [name, setName] = useState('');
  const [municipality, setMunicipality] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const [startsOn, setStartsOn] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const [state, create] = usePayloadMutation<{ project: { id: string } | null; userErrors: UserError[] }>(PROJECT_CREATE, 'projectCreate');
  const [missingBundle, setMissingBundle] = useState(false);
  useListboxName('municipality');
  useEffect(() => {
    if (deepPermit && data && !bundle) {
      const b = data.serviceBundles.find((x) => deepPermit.serviceBundleCodes.includes(x.code));
      if (b) setBundle(b.id);
    }
  }, [deepPermit, data, bundle]);
  const [dateErrors, setDateErrors] = useState<Record<string, string>>({});
  const errors = { ...errorsUnder(state.userErrors, ['input']), ...dateErrors };
  const submit = async () => {
    const bad: Record<string, string> = {};
    if (startsOn && !isDate(startsOn)) bad.startsOn = t('form.dateInvalid');
    if (endsOn && !isDate(endsOn)) bad.endsOn = t('form.dateInvalid');
    setDateErrors(bad);
    if (!bundle) {
      setMissingBundle(true);
      return;
    }
    if (Object.keys(bad).length) return;
    const input: Record<string, unknown> = {
      serviceBundleId: bundle,
      name,
      municipalityCode: municipality ?? '',
      description,
      startsOn: startsOn || null,
      endsOn: endsOn || null,
    };
    if (session.actingFor.kind === 'organisation') input.organisationId = session.actingFor.id;
    if (deepPermit) input.permitTypeIds = [deepPermit.id];
    const result = await create(input);
    if (result.ok && result.data?.project) navigate(`/projects/${result.data.project.id}/survey`);
  };
  if (!data) return error ? <ErrorNote error={error} /> : <Loading />;
  return (
    <>
      <H1>{t('start.heading')}</H1>
      <Paragraph mb="m">
        {session.actingFor.kind === 'organisation'
          ? t('start.forOrganisation', { name: session.actingFor.name })
          : t('start.forSelf')}
      </Paragraph>
      {service && !deepPermit && deep && (
        <InlineAlert status="warning" mb="m">
          {t('start.deepLinkUnknown')}
        </InlineAlert>
      )}
      {deepPermit && (
        <InlineAlert labelText={t('start.deepLinkHeading')} mb="m">
          {t('start.deepLink', { permit: lt(deepPermit.name), authority: lt(deepPermit.authority.name) })}
        </InlineAlert>
      )}
      <Card>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <RadioButtonGroup
              labelText={t('start.bundle')}
              name="bundle"
              value={bundle}
              onChange={(v) => {
                setBundle(v);
                setMissingBundle(false);
              }}
              groupStatus={missingBundle || errors.serviceBundleId ? 'error' : 'default'}
              groupStatusText={missingBundle ? t('start.bundleMissing') : errors.serviceBundleId}
            >
              {data.serviceBundles.map((b) => (
                <RadioButton key={b.id} value={b.id} hintText={lt(b.description)}>
                  {lt(b.name)}
                </RadioButton>
              ))}
            </RadioButtonGroup>
            <TextInput
              id="project-name"
              labelText={t('start.name')}
              value={name}
              onChange={(v) => setName(String(v ?? ''))}
              status={errors.name ? 'error' : 'default'}
              statusText={errors.name}
              fullWidth
            />
            <Dropdown
              id="municipality"
              labelText={t('start.municipality')}
              hintText={t('start.municipalityHint')}
              visualPlaceholder={t('form.choose')}
              value={municipality}
              onChange={(v) => setMunicipality(v)}
              status={errors.municipalityCode ? 'error' : 'default'}
              statusText={errors.municipalityCode}
            >
              {data.municipalities.map((m) => (
                <DropdownItem key={m.code} value={m.code}>
                  {lt(m.name)}
                </DropdownItem>
              ))}
            </Dropdown>
            <Textarea
              id="project-description"
              labelText={t('start.description')}
              optionalText={t('form.optional')}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              status={errors.description ? 'error' : 'default'}
              statusText={errors.description}
              fullWidth
            />
            <Row>
              <TextInput
                id="starts-on"
                labelText={t('start.startsOn')}
                hintText={t('form.dateHint')}
                value={startsOn}
                onChange={(v) => setStartsOn(String(v ?? ''))}
                status={errors.startsOn ? 'error' : 'default'}
                statusText={errors.startsOn}
              />
              <TextInput
                id="ends-on"
                labelText={t('start.endsOn')}
                hintText={t('form.dateHint')}
                optionalText={t('form.optional')}
                value={endsOn}
                onChange={(v) => setEndsOn(String(v ?? ''))}
                status={errors.endsOn ? 'error' : 'default'}
                statusText={errors.endsOn}
              />
            </Row>
            <UserErrorsNote errors={state.userErrors} shown={Object.keys(errors).map((k) => `input.${k}`)} />
            <ErrorNote error={state.error} />
            <div>
              <Button type="submit" disabled={state.fetching}>
                {t('start.submit')}
              </Button>
            </div>
          </Stack>
        </form>
      </Card>
    </>
  );
}

// --- survey and suggestions --------------------------------------------------------------

interface Question {
  questionId: string;
  type: 'BOOLEAN' | 'NUMBER' | 'CHOICE';
  isRequired: boolean;
  text: LocalizedText;
  help: LocalizedText | null;
  minimum: number | null;
  maximum: number | null;
  isInteger: boolean;
  choices: { value: string; label: LocalizedText }[];
  askIf: unknown;
}

interface Suggestion {
  certainty: 'CERTAIN' | 'POSSIBLE';
  reasons: LocalizedText[];
  leadTimeDays: number | null;
  latestApplicationDate: string | null;
  recommendedApplicationDate: string | null;
  permitKind: { code: string; name: LocalizedText };
  permitType: { id: string; code: string; name: LocalizedText } | null;
  authority: { id: string; name: LocalizedText } | null;
  channel: 'API' | 'LIGHT' | null;
}

function answerInput(q: Question, raw: string | boolean | undefined): Record<string, unknown> | null {
  if (raw === undefined || raw === '') return null;
  if (q.type === 'BOOLEAN') return { boolean: raw === true || raw === 'true' };
  if (q.type === 'NUMBER') {
    const n = Number(String(raw).replace(',', '.'));
    return Number.isNaN(n) ? { number: Number.NaN } : { number: n };
  }
  return { choice: String(raw) };
}

function SurveyPage({ id }: { id: string }) {
  const { t, lt, date } = useI18n();
  const client = useClient();
  const [{ data: pd, error: pe }] = useQuery<{ project: Project | null }>({ query: PROJECT, variables: { id } });
  const project = pd?.project;
  const [{ data: sd }] = useQuery<{ node: { questions: Question[] } | null }>({
    query: SURVEY,
    variables: { id: project?.serviceBundle.id },
    pause: !project,
  });
  const questions = sd?.node?.questions ?? [];
  const [raw, setRaw] = useState<Record<string, string | boolean>>({});
  const [suggestions, setSuggestions] = useState<Suggestion[] | null>(null);
  const [errors, setErrors] = useState<UserError[]>([]);
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const [adding, setAdding] = useState(false);
  const [addErrors, setAddErrors] = useState<UserError[]>([]);
  const [, createApp] = usePayloadMutation<{ userErrors: UserError[] }>(APPLICATION_CREATE, 'applicationCreate');
  const resultsRef = useRef<HTMLHeadingElement>(null);
  const answers: Answers = useMemo(() => {
    const a: Answers = {};
    for (const q of questions) {
      const v = answerInput(q, raw[q.questionId]);
      if (v) a[q.questionId] = Object.values(v)[0] as string | number | boolean;
    }
    return a;
  }, [questions, raw]);
  const asked = questions.filter((q) => !q.askIf || evaluate(q.askIf, answers));
  const inputAnswers = asked
    .map((q) => ({ questionId: q.questionId, value: answerInput(q, raw[q.questionId]) }))
    .filter((a) => a.value !== null);
  if (!pd) return pe ? <ErrorNote error={pe} /> : <Loading />;
  if (!project) return <NotFound />;
  const existing = new Set(project.applications.nodes.map((a) => a.permitType.id));
  const fieldErrors = errorsUnder(errors, ['input', 'answers']);
  const byQuestion: Record<string, string> = {};
  errors.forEach((e) => {
    const f = e.field ?? [];
    const index = f[2] !== undefined ? Number(f[2]) : Number.NaN;
    if (!Number.isNaN(index) && inputAnswers[index]) byQuestion[inputAnswers[index].questionId] = e.message;
  });
  for (const e of errors) {
    if (e.code === 'MISSING_ANSWER' || e.code === 'UNKNOWN_QUESTION') {
      const q = asked.find((x) => e.message.includes(lt(x.text)) || e.message.includes(x.questionId));
      if (q) byQuestion[q.questionId] = e.message;
    }
  }
  void fieldErrors;

  const run = async () => {
    const result = await client
      .query<{ permitNeeds: { suggestions: Suggestion[]; userErrors: UserError[] } }>(
        PERMIT_NEEDS,
        {
          input: {
            serviceBundleId: project.serviceBundle.id,
            municipalityCode: project.municipality.code,
            startsOn: project.startsOn,
            answers: inputAnswers,
          },
        },
        { requestPolicy: 'network-only' },
      )
      .toPromise();
    const payload = result.data?.permitNeeds;
    setErrors(payload?.userErrors ?? []);
    if (payload && payload.userErrors.length === 0) {
      setSuggestions(payload.suggestions);
      const pre: Record<string, boolean> = {};
      payload.suggestions.forEach((s) => {
        if (s.permitType && !existing.has(s.permitType.id)) pre[s.permitType.id] = s.certainty === 'CERTAIN';
      });
      setChosen(pre);
      setTimeout(() => resultsRef.current?.focus(), 0);
    } else {
      setSuggestions(null);
    }
  };

  const add = async () => {
    setAdding(true);
    const problems: UserError[] = [];
    for (const s of suggestions ?? []) {
      if (!s.permitType || !chosen[s.permitType.id]) continue;
      const r = await createApp({ projectId: project.id, permitTypeId: s.permitType.id, surveyAnswers: inputAnswers });
      problems.push(...r.userErrors);
    }
    setAdding(false);
    setAddErrors(problems);
    if (problems.length === 0) navigate(`/projects/${project.id}/shared-data`);
  };

  return (
    <>
      <H1>{t('survey.heading', { project: project.name })}</H1>
      <Paragraph mb="m">{t('survey.intro')}</Paragraph>
      <Card>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void run();
          }}
        >
          <Stack>
            {asked.map((q) => (
              <SurveyQuestion
                key={q.questionId}
                q={q}
                value={raw[q.questionId]}
                error={byQuestion[q.questionId]}
                onChange={(v) => setRaw((r) => ({ ...r, [q.questionId]: v }))}
              />
            ))}
            <UserErrorsNote errors={errors.filter((e) => !Object.values(byQuestion).includes(e.message))} />
            <div>
              <Button type="submit">{t('survey.submit')}</Button>
            </div>
          </Stack>
        </form>
      </Card>
      {suggestions && (
        <Card aria-labelledby="suggestions-h">
          <h2 id="suggestions-h" className="luukku-h2" tabIndex={-1} ref={resultsRef}>
            {t('survey.suggestions')}
          </h2>
          <Paragraph mb="s">{t('survey.responsibility')}</Paragraph>
          {suggestions.length === 0 && <Paragraph>{t('survey.noSuggestions')}</Paragraph>}
          {(['CERTAIN', 'POSSIBLE'] as const).map((certainty) => {
            const list = suggestions.filter((s) => s.certainty === certainty);
            if (list.length === 0) return null;
            return (
              <div key={certainty}>
                <h3 className="luukku-h3">{certainty === 'CERTAIN' ? t('survey.certain') : t('survey.possible')}</h3>
                <ul className="luukku-suggestions">
                  {list.map((s) => {
                    const pt = s.permitType;
                    return (
                      <li key={s.permitKind.code}>
                        {pt ? (
                          existing.has(pt.id) ? (
                            <p>
                              <strong>{lt(pt.name)}</strong> – {t('survey.already')}
                            </p>
                          ) : (
                            <Checkbox
                              id={`suggestion-${pt.code}`}
                              checked={!!chosen[pt.id]}
                              onClick={({ checkboxState }) => setChosen((c) => ({ ...c, [pt.id]: checkboxState }))}
                            >
                              {lt(pt.name)}
                            </Checkbox>
                          )
                        ) : (
                          <p>
                            <strong>{lt(s.permitKind.name)}</strong> – {t('survey.notOffered')}
                          </p>
                        )}
                        <Dl>
                          <dt>{t('survey.reasons')}</dt>
                          <dd>{s.reasons.map((r) => lt(r)).join(' ')}</dd>
                          {s.authority && (
                            <>
                              <dt>{t('common.authority')}</dt>
                              <dd>{lt(s.authority.name)}</dd>
                            </>
                          )}
                          {s.channel && (
                            <>
                              <dt>{t('common.channel')}</dt>
                              <dd>{s.channel === 'LIGHT' ? t('channel.LIGHT') : t('channel.API')}</dd>
                            </>
                          )}
                          <dt>{t('survey.latest')}</dt>
                          <dd>{s.latestApplicationDate ? date(s.latestApplicationDate) : t('survey.noLatest')}</dd>
                          {s.recommendedApplicationDate && (
                            <>
                              <dt>{t('survey.recommended')}</dt>
                              <dd>{date(s.recommendedApplicationDate)}</dd>
                            </>
                          )}
                        </Dl>
                      </li>
                    );
                  })}
                </ul>
              </div>
            );
          })}
          <UserErrorsNote errors={addErrors} />
          <Row>
            <Button onClick={() => void add()} disabled={adding}>
              {t('survey.add')}
            </Button>
            <Button variant="secondary" onClick={() => navigate(`/projects/${project.id}`)}>
              {t('survey.skip')}
            </Button>
          </Row>
        </Card>
      )}
    </>
  );
}

function SurveyQuestion({ q, value, error, onChange }: { q: Question; value: string | boolean | undefined; error?: string; onChange(v: string | boolean): void }) {
  const { t, lt } = useI18n();
  const id = `q-${q.questionId}`;
  useListboxName(id);
  if (q.type === 'BOOLEAN') {
    return (
      <RadioButtonGroup
        labelText={lt(q.text)}
        groupHintText={lt(q.help) || undefined}
        name={id}
        id={id}
        value={value === undefined ? '' : String(value)}
        onChange={(v) => onChange(v === 'true')}
        groupStatus={error ? 'error' : 'default'}
        groupStatusText={error}
      >
        <RadioButton value="true">{t('common.yes')}</RadioButton>
        <RadioButton value="false">{t('common.no')}</RadioButton>
      </RadioButtonGroup>
    );
  }
  if (q.type === 'CHOICE') {
    return (
      <Dropdown
        id={id}
        labelText={lt(q.text)}
        hintText={lt(q.help) || undefined}
        visualPlaceholder={t('form.choose')}
        value={typeof value === 'string' ? value : null}
        onChange={(v) => onChange(v)}
        status={error ? 'error' : 'default'}
        statusText={error}
      >
        {q.choices.map((c) => (
          <DropdownItem key={c.value} value={c.value}>
            {lt(c.label)}
          </DropdownItem>
        ))}
      </Dropdown>
    );
  }
  return (
    <TextInput
      id={id}
      labelText={lt(q.text)}
      hintText={lt(q.help) || undefined}
      inputMode={q.isInteger ? 'numeric' : 'decimal'}
      value={typeof value === 'string' ? value : ''}
      onChange={(v) => onChange(String(v ?? ''))}
      status={error ? 'error' : 'default'}
      statusText={error}
    />
  );
}

// --- shared data ---------------------------------------------------------------------------

function neededSections(project: Project, schema: JsonSchema): string[] {
  const all = Object.keys(schema.properties ?? {});
  const needed = new Set(project.applications.nodes.flatMap((a) => a.permitType.requiredSharedData));
  const filled = Object.keys(project.sharedData ?? {});
  const chosen = all.filter((s) => needed.has(s) || filled.includes(s));
  return chosen.length ? chosen : all;
}

function SharedDataPage({ id }: { id: string }) {
  const { t } = useI18n();
  const [{ data, error }] = useQuery<{ project: Project | null }>({ query: PROJECT, variables: { id } });
  const [{ data: sd }] = useQuery<{ sharedDataSchema: JsonSchema }>({ query: SHARED_DATA_SCHEMA });
  const [value, setValue] = useState<Json | null>(null);
  const [saved, setSaved] = useState(false);
  const [state, update] = usePayloadMutation<{ userErrors: UserError[] }>(PROJECT_UPDATE, 'projectUpdate');
  const project = data?.project;
  useEffect(() => {
    if (project && value === null) setValue(project.sharedData ?? {});
  }, [project, value]);
  if (!data || !sd || value === null) return error ? <ErrorNote error={error} /> : <Loading />;
  if (!project) return <NotFound />;
  const schema = sd.sharedDataSchema;
  const errors = errorsUnder(state.userErrors, ['input', 'sharedData']);
  return (
    <>
      <H1>{t('shared.heading', { project: project.name })}</H1>
      <Paragraph mb="m">{t('shared.intro')}</Paragraph>
      <Card>
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            void update({ id: project.id, expectedVersion: latestVersion(project.id, project.version), sharedData: value }).then((r) => {
              if (r.ok) {
                setSaved(true);
                navigate(`/projects/${project.id}`);
              }
            });
          }}
        >
          <SchemaForm schema={schema} value={value} onChange={setValue} errors={errors} idPrefix="shared" sections={neededSections(project, schema)} showRequired={false} />
          <UserErrorsNote errors={state.userErrors} shown={Object.keys(errors).map((k) => `input.sharedData.${k}`)} />
          <ErrorNote error={state.error} />
          {saved && <InlineAlert>{t('common.saved')}</InlineAlert>}
          <Row>
            <Button type="submit" disabled={state.fetching}>
              {t('shared.save')}
            </Button>
            <Button variant="secondary" onClick={() => navigate(`/projects/${project.id}`)}>
              {t('common.cancel')}
            </Button>
          </Row>
        </form>
      </Card>
    </>
  );
}

// --- the project page ----------------------------------------------------------------------

function ProjectPage({ id }: { id: string }) {
  const { t, lt, date } = useI18n();
  const [{ data, error }, refetch] = useQuery<{ project: Project | null }>({ query: PROJECT, variables: { id } });
  const [announcement, setAnnouncement] = useState('');
  const eventText = useEventText();
  useProjectActivity(id, (event) => {
    if (event) setAnnouncement(eventText(event));
    refetch({ requestPolicy: 'network-only' });
  });
  const project = data?.project;
  if (!data) return error ? <ErrorNote error={error} /> : <Loading />;
  if (!project) return <NotFound />;
  return (
    <>
      <H1 objectId={project.id}>{project.name}</H1>
      <LiveAnnouncer text={announcement} />
      <Card>
        <Dl>
          <dt>{t('project.bundle')}</dt>
          <dd>{lt(project.serviceBundle.name)}</dd>
          <dt>{t('project.municipality')}</dt>
          <dd>{lt(project.municipality.name)}</dd>
          <dt>{t('project.owner')}</dt>
          <dd>{project.owner.name}</dd>
          <dt>{t('project.dates')}</dt>
          <dd>
            {project.startsOn ? date(project.startsOn) : '–'} – {project.endsOn ? date(project.endsOn) : ''}
          </dd>
          {project.description && (
            <>
              <dt>{t('project.description')}</dt>
              <dd>{project.description}</dd>
            </>
          )}
        </Dl>
        {project.viewerCanEdit && (
          <Row>
            <Button variant="secondary" onClick={() => navigate(`/projects/${project.id}/survey`)}>
              {t('project.survey')}
            </Button>
            <Button variant="secondary" onClick={() => navigate(`/projects/${project.id}/shared-data`)}>
              {t('project.sharedData')}
            </Button>
          </Row>
        )}
      </Card>
      <Section title={t('project.applications')} id="applications">
        {project.applications.nodes.length === 0 ? (
          <Paragraph>{t('project.noApplications')}</Paragraph>
        ) : (
          <Timeline project={project} linkTo={(a) => `/applications/${a.id}`} />
        )}
        {project.viewerCanEdit && <AddByHand project={project} onAdded={() => refetch({ requestPolicy: 'network-only' })} />}
      </Section>
      <Section title={t('project.thread')} id="project-thread">
        <Paragraph mb="s">{t('project.threadIntro')}</Paragraph>
        <Discussion thread={project.thread} idPrefix="project" onPosted={() => refetch({ requestPolicy: 'network-only' })} />
      </Section>
    </>
  );
}

function AddByHand({ project, onAdded }: { project: Project; onAdded(): void }) {
  const { t, lt } = useI18n();
  const [{ data }] = useQuery<{ permitTypes: { nodes: { id: string; name: LocalizedText; authority: { name: LocalizedText } }[] } }>({
    query: OFFERED,
    variables: { municipality: project.municipality.code, bundle: project.serviceBundle.code },
  });
  const [choice, setChoice] = useState<string | null>(null);
  const [state, create] = usePayloadMutation<{ userErrors: UserError[] }>(APPLICATION_CREATE, 'applicationCreate');
  useListboxName('add-permit');
  const existing = new Set(project.applications.nodes.map((a) => a.permitType.id));
  const options = (data?.permitTypes.nodes ?? []).filter((p) => !existing.has(p.id));
  if (options.length === 0) return null;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (choice)
          void create({ projectId: project.id, permitTypeId: choice }).then((r) => {
            if (r.ok) {
              setChoice(null);
              onAdded();
            }
          });
      }}
    >
      <h3 className="luukku-h3">{t('project.addByHand')}</h3>
      <Row>
        <Dropdown id="add-permit" labelText={t('project.permit')} visualPlaceholder={t('form.choose')} value={choice} onChange={setChoice}>
          {options.map((p) => (
            <DropdownItem key={p.id} value={p.id}>
              {`${lt(p.name)} (${lt(p.authority.name)})`}
            </DropdownItem>
          ))}
        </Dropdown>
        <Button type="submit" variant="secondary" disabled={!choice || state.fetching}>
          {t('project.add')}
        </Button>
      </Row>
      <UserErrorsNote errors={state.userErrors} />
    </form>
  );
}

// --- one application -------------------------------------------------------------------------

export interface ApplicationDetail extends ApplicationSummary {
  noticeEmail: string | null;
  permitType: ApplicationSummary['permitType'] & {
    formSchema: JsonSchema;
    attachmentTypes: string[];
    attachmentRequirements: AttachmentRequirement[];
  };
  attachments: Attachment[];
  content: { formData: Json; sharedData: Json } | null;
  statusHistory: { nodes: StatusChange[] };
  supplementRequests: (ApplicationSummary['supplementRequests'][number] & { answerContent: Json | null })[];
  statementRequests: StatementRequest[];
  thread: Project['thread'] | null;
  project: {
    id: string;
    name: string;
    startsOn: string | null;
    endsOn: string | null;
    description: string;
    municipality: { code: string; name: LocalizedText };
    owner: { __typename: string; name: string; businessId?: string | null };
  };
}

function ApplicationPage({ id }: { id: string }) {
  const { t, lt, date, dateTime } = useI18n();
  const small = useSmallScreen();
  const [{ data, error }, refetch] = useQuery<{ application: ApplicationDetail | null }>({ query: APPLICATION, variables: { id } });
  const app = data?.application;
  const [form, setForm] = useState<Json | null>(null);
  // whether the form holds changes not yet saved: a ref, set at once when the user types, so
  // that the effect below and the handlers read the latest, not a render's copy
  const dirty = useRef(false);
  const [notice, setNotice] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const [withdrawOpen, setWithdrawOpen] = useState(false);
  const [withdrawComment, setWithdrawComment] = useState('');
  const [answer, setAnswer] = useState('');
  const eventText = useEventText();
  const [saveState, save, resetSave] = usePayloadMutation<{ userErrors: UserError[] }>(APPLICATION_UPDATE, 'applicationUpdate');
  const [shareState, share] = usePayloadMutation<{ userErrors: UserError[] }>(APPLICATION_SHARE, 'applicationShare');
  const [submitState, submit] = usePayloadMutation<{ userErrors: UserError[] }>(APPLICATION_SUBMIT, 'applicationSubmit');
  const [withdrawState, withdraw] = usePayloadMutation<{ userErrors: UserError[] }>(APPLICATION_WITHDRAW, 'applicationWithdraw');
  const [answerState, answerSubmit] = usePayloadMutation<{ userErrors: UserError[] }>(SUPPLEMENT_SUBMIT, 'supplementSubmit');
  const withdrawButton = useRef<HTMLButtonElement>(null!);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  useProjectActivity(app?.project.id, (event) => {
    if (event && event.application && event.application.id !== id && event.kind !== 'MESSAGE_POSTED') return;
    if (event && event.attachmentId && event.attachmentApplication?.id !== id) return;
    if (event) setAnnouncement(eventText(event));
    reload();
  });
  useEffect(() => {
    if (!app?.content) return;
    // an answer older than a version this tab has saved is stale
    if (app.version < latestVersion(app.id, app.version)) return;
    const content = app.content.formData;
    // what the user typed after this render, before its effect ran, is kept: a functional
    // update, not this render's `form`
    setForm((current) => (current === null || !dirty.current ? content : current));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [app?.content]);
  if (!data) return error ? <ErrorNote error={error} /> : <Loading />;
  if (!app) return <NotFound />;
  const isDraft = app.status === 'DRAFT';
  const editable = app.viewerCanEdit && isDraft;
  const openRequest = app.supplementRequests.find((r) => r.isOpen);
  const allErrors = [...saveState.userErrors, ...submitState.userErrors, ...answerState.userErrors];
  const formErrors = errorsUnder(allErrors, ['input', 'content']);
  const sharedErrors = errorsUnder(submitState.userErrors, ['input', 'sharedData']);
  const attachmentErrorsAll = errorsUnder(submitState.userErrors, ['input', 'attachments']);
  // a requirement met since the refused submission no longer shows its error
  const attachmentErrors = Object.fromEntries(
    Object.entries(attachmentErrorsAll).filter(([kind]) => !app.attachments.some((a) => a.kind === kind && a.scanStatus !== 'INFECTED')),
  );

  const doSave = async (): Promise<number | null> => {
    if (!form) return latestVersion(app.id, app.version);
    const r = await save({ id: app.id, expectedVersion: latestVersion(app.id, app.version), content: form });
    if (!r.ok) return null;
    dirty.current = false;
    const version = (r.data as { application?: { version: number } } | null)?.application?.version ?? app.version;
    return version;
  };
  const doSubmit = async () => {
    setNotice('');
    const version = dirty.current ? await doSave() : latestVersion(app.id, app.version);
    if (version === null) return;
    const r = await submit({ id: app.id, expectedVersion: version });
    if (r.ok) {
      setNotice(t('application.submitted'));
      reload();
    }
  };
  return (
    <>
      <p>
        <AppLink to={`/projects/${app.project.id}`}>{t('application.back', { project: app.project.name })}</AppLink>
      </p>
      <H1 objectId={app.id}>{lt(app.permitType.name)}</H1>
      <LiveAnnouncer text={announcement} />
      <Card>
        <Row>
          <span>{t('application.status')}:</span>
          <span data-testid="application-status">
            <StatusTag label={app.statusLabel} />
          </span>
        </Row>
        <Dl>
          <dt>{t('common.authority')}</dt>
          <dd>{lt(app.authority.name)}</dd>
          <dt>{t('common.channel')}</dt>
          <dd>{app.permitType.channel === 'LIGHT' ? t('channel.LIGHT') : t('channel.API')}</dd>
          {app.latestApplicationDate && (
            <>
              <dt>{t('survey.latest')}</dt>
              <dd>{date(app.latestApplicationDate)}</dd>
            </>
          )}
          {app.submittedAt && (
            <>
              <dt>{t('application.submittedAt')}</dt>
              <dd>{dateTime(app.submittedAt)}</dd>
            </>
          )}
          {isDraft && (
            <>
              <dt>{t('application.sharing')}</dt>
              <dd>{app.isSharedWithAuthorities ? t('application.shared') : t('application.notShared')}</dd>
            </>
          )}
        </Dl>
        {notice && (
          <InlineAlert role="status" smallScreen={small}>
            {notice}
          </InlineAlert>
        )}
      </Card>
      {openRequest && app.viewerCanEdit && (
        <Section title={t('supplement.answerHeading')} id="answer">
          <InlineAlert status="warning" labelText={t('supplement.requested')}>
            {openRequest.message} – {t('supplement.dueBy', { date: date(openRequest.dueDate) })}
          </InlineAlert>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void answerSubmit({ id: app.id, expectedVersion: latestVersion(app.id, app.version), message: answer, content: dirty.current ? form : null }).then((r) => {
                if (r.ok) {
                  setAnswer('');
                  dirty.current = false;
                  setNotice(t('supplement.sent'));
                  reload();
                }
              });
            }}
          >
            <Textarea id="supplement-answer" labelText={t('supplement.answer')} value={answer} onChange={(e) => setAnswer(e.target.value)} fullWidth />
            <Paragraph mt="s">{t('supplement.contentHint')}</Paragraph>
            {form && (
              <SchemaForm
                schema={app.permitType.formSchema}
                value={form}
                onChange={(v) => {
                  setForm(v);
                  dirty.current = true;
                }}
                errors={formErrors}
                idPrefix="supplement"
              />
            )}
            <UserErrorsNote errors={answerState.userErrors} shown={Object.keys(formErrors).map((k) => `input.content.${k}`)} />
            <Row>
              <Button type="submit" disabled={answerState.fetching}>
                {t('supplement.send')}
              </Button>
            </Row>
          </form>
        </Section>
      )}
      {app.decision && (
        <Section title={t('decision.heading')} id="decision">
          <DecisionView decision={app.decision} />
        </Section>
      )}
      <Section title={t('application.form')} id="form">
        {editable && form ? (
          <form
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              setNotice('');
              void doSave().then((v) => v !== null && setNotice(t('common.saved')));
            }}
          >
            <SchemaForm
              schema={app.permitType.formSchema}
              value={form}
              onChange={(v) => {
                setForm(v);
                dirty.current = true;
                resetSave();
              }}
              errors={formErrors}
              idPrefix="form"
            />
            {Object.keys(sharedErrors).length > 0 && (
              <InlineAlert status="error" labelText={t('application.sharedMissing')}>
                <ul>
                  {Object.values(sharedErrors).map((m, i) => (
                    <li key={i}>{m}</li>
                  ))}
                </ul>
                <AppLink to={`/projects/${app.project.id}/shared-data`}>{t('project.sharedData')}</AppLink>
              </InlineAlert>
            )}
            {Object.keys(attachmentErrors).length > 0 && (
              <InlineAlert status="error" labelText={t('attachments.missingHeading')}>
                <ul>
                  {Object.values(attachmentErrors).map((m, i) => (
                    <li key={i}>{m}</li>
                  ))}
                </ul>
                <a href="#attachments-h">{t('attachments.add')}</a>
              </InlineAlert>
            )}
            <UserErrorsNote
              errors={allErrors}
              shown={[
                ...Object.keys(formErrors).map((k) => `input.content.${k}`),
                ...Object.keys(sharedErrors).map((k) => `input.sharedData.${k}`),
                ...Object.keys(attachmentErrorsAll).map((k) => `input.attachments.${k}`),
              ]}
            />
            <ErrorNote error={saveState.error ?? submitState.error} />
            <Row>
              <Button type="submit" variant="secondary" disabled={saveState.fetching}>
                {t('application.save')}
              </Button>
              <Button onClick={() => void doSubmit()} disabled={submitState.fetching || saveState.fetching}>
                {t('application.submit')}
              </Button>
            </Row>
          </form>
        ) : app.content ? (
          <SchemaView schema={app.permitType.formSchema} value={app.content.formData} />
        ) : null}
      </Section>
      {app.viewerCanReadContent && (app.attachments.length > 0 || app.permitType.attachmentRequirements.length > 0 || editable) && (
        <Section title={t('attachments.heading')} id="attachments">
          <Attachments
            applicationId={app.id}
            requirements={app.permitType.attachmentRequirements}
            attachments={app.attachments}
            otherTypes={app.permitType.attachmentTypes}
            editable={editable}
            missing={attachmentErrors}
            idPrefix="customer"
            onChanged={reload}
          />
        </Section>
      )}
      {app.viewerCanEdit && (
        <Section title={t('application.actions')} id="actions">
          {isDraft && (
            <>
              <Paragraph mb="s">{t('application.shareHint')}</Paragraph>
              <Checkbox
                id="share"
                checked={app.isSharedWithAuthorities}
                onClick={({ checkboxState }) => void share({ id: app.id, expectedVersion: latestVersion(app.id, app.version), shared: checkboxState }).then(reload)}
                disabled={shareState.fetching}
              >
                {t('application.shareLabel')}
              </Checkbox>
              <UserErrorsNote errors={shareState.userErrors} />
            </>
          )}
          {!app.isProcessed && (
            <Row>
              <Button variant="secondary" forwardedRef={withdrawButton} onClick={() => setWithdrawOpen(true)}>
                {t('application.withdraw')}
              </Button>
            </Row>
          )}
        </Section>
      )}
      <Modal
        appElementId="root"
        visible={withdrawOpen}
        onEscKeyDown={() => setWithdrawOpen(false)}
        focusOnCloseRef={withdrawButton}
        variant={small ? 'smallScreen' : 'default'}
        ariaLabelledBy="withdraw-title"
      >
        <ModalContent>
          <ModalTitle id="withdraw-title">{t('application.withdrawTitle')}</ModalTitle>
          <Paragraph mb="s">{t('application.withdrawText')}</Paragraph>
          <Textarea
            id="withdraw-comment"
            labelText={t('application.withdrawComment')}
            optionalText={t('form.optional')}
            value={withdrawComment}
            onChange={(e) => setWithdrawComment(e.target.value)}
            fullWidth
          />
          <UserErrorsNote errors={withdrawState.userErrors} />
        </ModalContent>
        <ModalFooter>
          <Button
            onClick={() =>
              void withdraw({ id: app.id, expectedVersion: latestVersion(app.id, app.version), comment: withdrawComment || null }).then((r) => {
                if (r.ok) {
                  setWithdrawOpen(false);
                  reload();
                }
              })
            }
          >
            {t('application.withdrawConfirm')}
          </Button>
          <Button variant="secondary" onClick={() => setWithdrawOpen(false)}>
            {t('common.cancel')}
          </Button>
        </ModalFooter>
      </Modal>
      <Section title={t('supplement.heading')} id="supplements">
        <SupplementList requests={app.supplementRequests} />
      </Section>
      {app.statementRequests.length > 0 && (
        <Section title={t('statement.heading')} id="statements">
          <StatementList requests={app.statementRequests} onChanged={reload} />
        </Section>
      )}
      <Section title={t('history.heading')} id="history">
        <StatusHistory changes={app.statusHistory.nodes} />
      </Section>
      {app.thread && (
        <Section title={t('application.thread', { authority: lt(app.authority.name) })} id="thread">
          <Discussion thread={app.thread} idPrefix="application" onPosted={reload} />
        </Section>
      )}
    </>
  );
}
