// Every application of a project on a timeline against the project's start date: when it
// was submitted, the latest day to apply, and its status now. The bars are decoration; the
// same facts are in the table's text.
import styled from 'styled-components';
import type { ApplicationSummary, Project } from '../api';
import { useI18n } from '../i18n';
import { AppLink } from '../router';
import { colors, StatusTag, todayIso } from '../ui';

const Track = styled.div`
  position: relative;
  height: 14px;
  min-width: 120px;
  background: ${colors.depthLight2};
  border-radius: 7px;
  .span {
    position: absolute;
    top: 0;
    bottom: 0;
    background: ${colors.highlightLight2};
    border-radius: 7px;
  }
  .mark {
    position: absolute;
    top: -3px;
    width: 3px;
    height: 20px;
  }
  .latest {
    background: ${colors.accentBase};
  }
  .today {
    background: ${colors.blackBase};
  }
  .start {
    background: ${colors.successDark1};
  }
`;

const Wrap = styled.div`
  overflow-x: auto;
`;

function days(iso: string): number {
  return Math.round(new Date(`${iso.slice(0, 10)}T00:00:00Z`).getTime() / 86_400_000);
}

export function Timeline({ project, linkTo }: { project: Project; linkTo(a: ApplicationSummary): string }) {
  const { t, lt, date } = useI18n();
  const today = todayIso();
  const points = [today, project.startsOn, ...project.applications.nodes.flatMap((a) => [a.submittedAt, a.latestApplicationDate])].filter(
    (x): x is string => !!x,
  );
  const min = Math.min(...points.map(days)) - 3;
  const max = Math.max(...points.map(days)) + 3;
  const pos = (iso: string) => `${(((days(iso) - min) / Math.max(1, max - min)) * 100).toFixed(1)}%`;
  return (
    <Wrap>
      <table className="luukku-table stacked">
        <caption className="luukku-visually-hidden">
          {t('timeline.caption', { date: project.startsOn ? date(project.startsOn) : '–' })}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('project.permit')}</th>
            <th scope="col">{t('common.authority')}</th>
            <th scope="col">{t('application.status')}</th>
            <th scope="col">{t('timeline.dates')}</th>
            <th scope="col" aria-hidden="true">
              {t('timeline.bar')}
            </th>
          </tr>
        </thead>
        <tbody>
          {project.applications.nodes.map((a) => {
            const from = a.submittedAt ?? today;
            const to = project.startsOn ?? a.latestApplicationDate ?? today;
            const late = !a.submittedAt && a.latestApplicationDate && a.latestApplicationDate < today;
            return (
              <tr key={a.id} data-application={a.permitType.code}>
                <td>
                  <AppLink to={linkTo(a)}>{lt(a.permitType.name)}</AppLink>
                </td>
                <td data-label={t('common.authority')}>{lt(a.authority.name)}</td>
                <td data-testid={`status-${a.permitType.code}`} data-label={t('application.status')}>
                  <StatusTag label={a.statusLabel} />
                </td>
                <td data-label={t('timeline.dates')}>
                  {a.submittedAt ? t('timeline.submitted', { date: date(a.submittedAt) }) : t('timeline.notSubmitted')}
                  {a.latestApplicationDate && (
                    <>
                      <br />
                      {t('timeline.latest', { date: date(a.latestApplicationDate) })}
                      {late && <strong> {t('timeline.late')}</strong>}
                    </>
                  )}
                </td>
                <td aria-hidden="true" className="luukku-bar">
                  <Track>
                    <span className="span" style={{ left: pos(from < to ? from : to), width: `calc(${pos(from < to ? to : from)} - ${pos(from < to ? from : to)})` }} />
                    {a.latestApplicationDate && <span className="mark latest" style={{ left: pos(a.latestApplicationDate) }} />}
                    <span className="mark today" style={{ left: pos(today) }} />
                    {project.startsOn && <span className="mark start" style={{ left: pos(project.startsOn) }} />}
                  </Track>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="luukku-legend">{t('timeline.legend')}</p>
    </Wrap>
  );
}
