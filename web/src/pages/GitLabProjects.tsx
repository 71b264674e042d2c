// Apps › GitLab › Projects: the projects the connecting account owns, each with a
// monitored switch and the state of worklog's webhook on it.
import { useMemo, useState } from 'preact/hooks';
import { api, errorOf, type ApiError, type Project } from '../api';
import { AdminOnly, Badge, ErrorNotice, Link, Loading, Notice, PageHeader, useLoad } from '../components/ui';
import { useSession } from '../session';
import { BackfillProgress, GitLabTabs, gitlabCrumbs } from './gitlabNav';

export function GitLabProjectsPage() {
  const { user } = useSession();
  if (user.role !== 'admin') return <AdminOnly />;
  return <ProjectsTab />;
}

const HOOKS: Record<string, { label: string; tone: 'success' | 'warning' | 'danger' | 'neutral' | 'info' }> = {
  active: { label: 'Webhook active', tone: 'success' },
  registered: { label: 'Webhook active', tone: 'success' },
  pending: { label: 'Webhook pending', tone: 'info' },
  failed: { label: 'Webhook failed', tone: 'warning' },
  polling: { label: 'Polling (no webhook)', tone: 'info' },
  error: { label: 'Webhook failed: polling', tone: 'warning' },
  unreachable: { label: 'Webhook unreachable: polling', tone: 'warning' },
  none: { label: 'No webhook', tone: 'neutral' },
  removed: { label: 'No webhook', tone: 'neutral' },
};

function hookBadge(status: string, error?: string | null) {
  const known = HOOKS[status] ?? { label: `Webhook ${status.replace(/_/g, ' ')}`, tone: 'neutral' as const };
  return (
    <>
      <Badge tone={known.tone}>{known.label}</Badge>
      {error && <small class="muted hook-error">{error}</small>}
    </>
  );
}

function ProjectsTab() {
  const projects = useLoad(api.projects, []);
  const [search, setSearch] = useState('');
  const [saving, setSaving] = useState<Set<number>>(new Set());
  const [error, setError] = useState<{ project: string; error: ApiError } | null>(null);

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (projects.data ?? []).filter((p) => !needle || p.path_with_namespace.toLowerCase().includes(needle));
  }, [projects.data, search]);

  // The switch moves at once (and stays disabled while saving); a refusal puts it back.
  const toggle = async (project: Project, monitored: boolean) => {
    setError(null);
    setSaving((s) => new Set(s).add(project.id));
    const patch = (changes: Partial<Project>) =>
      projects.update((list) => list?.map((p) => (p.id === project.id ? { ...p, ...changes } : p)));
    patch({ monitored });
    try {
      const updated = await api.setMonitored(project.id, monitored);
      patch({ ...(updated ?? {}), monitored });
    } catch (e) {
      patch({ monitored: project.monitored });
      setError({ project: project.path_with_namespace, error: errorOf(e) });
    } finally {
      setSaving((s) => {
        const n = new Set(s);
        n.delete(project.id);
        return n;
      });
    }
  };

  const monitoredCount = (projects.data ?? []).filter((p) => p.monitored).length;
  return (
    <>
      <PageHeader title="GitLab" crumbs={gitlabCrumbs} />
      <GitLabTabs current="/apps/gitlab/projects" />
      <section aria-labelledby="projects-heading" class="tab-panel">
        <div class="toolbar">
          <h2 id="projects-heading" class="h3">
            Projects
          </h2>
          <div class="toolbar-search">
            <label for="project-search" class="visually-hidden">
              Search projects
            </label>
            <input id="project-search" type="search" placeholder="Search projects" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
          </div>
        </div>
        <p class="muted">
          Every project in which the connected GitLab account has the Owner role. All are monitored by default, new ones too;
          work in projects that are not monitored is never pulled into the Activity Feed.
        </p>
        {projects.error && projects.error.status === 409 ? (
          <Notice kind="info" title="No GitLab organization is connected.">
            <Link href="/apps/gitlab/organization">Connect GitLab organization</Link> on the Organization tab to see its projects.
          </Notice>
        ) : (
          <ErrorNotice error={projects.error} action="Loading projects" />
        )}
        {error && <ErrorNotice error={error.error} action={`Changing ${error.project}`} />}
        {projects.loading && !projects.data && <Loading label="Loading projects…" />}
        {projects.data && (
          <>
            <p class="muted" role="status">
              {monitoredCount} of {projects.data.length} projects monitored
              {search && `, ${shown.length} shown`}
            </p>
            <BackfillProgress projects={projects.data} onPoll={projects.reload} />
            <div class="table-wrap">
              <table class="striped">
                <thead>
                  <tr>
                    <th scope="col">Project</th>
                    <th scope="col">Monitored</th>
                    <th scope="col">Webhook</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((p) => (
                    <tr key={p.id}>
                      <td>
                        <a href={p.web_url} target="_blank" rel="noreferrer noopener">
                          {p.path_with_namespace}
                        </a>
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          role="switch"
                          aria-label={`Monitor ${p.path_with_namespace}`}
                          checked={p.monitored}
                          disabled={saving.has(p.id)}
                          aria-busy={saving.has(p.id) ? 'true' : undefined}
                          onChange={(e) => void toggle(p, e.currentTarget.checked)}
                        />
                      </td>
                      <td>{hookBadge(p.hook_status, p.hook_error)}</td>
                    </tr>
                  ))}
                  {shown.length === 0 && (
                    <tr>
                      <td colSpan={3} class="muted">
                        {projects.data.length === 0 ? 'The connected GitLab account owns no projects yet.' : 'No project matches your search.'}
                      </td>
                    </tr>
                  )}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </>
  );
}
