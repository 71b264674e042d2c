#!/usr/bin/python3
"""Fidelity check of `worklog gitlab-sim` against Debian's python3-gitlab (unmodified).

Starts `worklog gitlab-sim --listen 127.0.0.1:0 --seed demo` and drives it with the real
`gitlab` client library the way an integration would: pagination (offset and keyset), owned
projects, events, commits, merge requests, hooks CRUD, user search, OAuth, 429 handling.

    tests/python/python_gitlab_check.py --worklog build/dev/src/cli/worklog
"""

import argparse
import base64
import hashlib
import html.parser
import os
import secrets
import subprocess
import sys
import threading
import unittest
import urllib.parse
import warnings

import gitlab  # python3-gitlab
import requests  # a dependency of python3-gitlab

WORKLOG = None
SIM = {}


def start_simulator(worklog):
    root_token = "glpat-" + secrets.token_urlsafe(15)
    proc = subprocess.Popen(
        [worklog, "gitlab-sim", "--listen", "127.0.0.1:0", "--seed", "demo",
         "--root-token", root_token,
         "--oauth-redirect-uri", "http://127.0.0.1:9/callback"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    info = {"proc": proc, "root_token": root_token}
    # The simulator prints `key: value` lines and then `ready`.
    timer = threading.Timer(120, proc.kill)
    timer.start()
    try:
        for line in proc.stdout:
            line = line.rstrip("\n")
            if line == "ready":
                break
            key, _, value = line.partition(": ")
            info.setdefault(key, value)
    finally:
        timer.cancel()
    if "url" not in info:
        proc.kill()
        raise RuntimeError("gitlab-sim did not start: " + proc.stderr.read())
    return info


def setUpModule():
    SIM.update(start_simulator(WORKLOG))


def tearDownModule():
    proc = SIM.get("proc")
    if proc:
        proc.terminate()
        proc.wait(timeout=30)


def root():
    gl = gitlab.Gitlab(SIM["url"], private_token=SIM["root_token"])
    gl.auth()
    return gl


def user_client(username, scopes=("api",)):
    """A personal access token made through python-gitlab's admin API."""
    admin = root()
    user = admin.users.list(username=username)[0]
    token = user.personal_access_tokens.create({"name": "fidelity", "scopes": list(scopes)})
    gl = gitlab.Gitlab(SIM["url"], private_token=token.token)
    gl.auth()
    return gl


class FormParser(html.parser.HTMLParser):
    """Collects the first form's action and inputs."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self.done = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and self.action is not None and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.action is not None:
            self.done = True


class PythonGitlabFidelity(unittest.TestCase):
    def setUp(self):
        # Pagination links must use the URL the client was given.
        warnings.filterwarnings("error", message="The base URL in the server response differs")

    def test_auth_and_version(self):
        gl = root()
        self.assertEqual(gl.user.username, "root")
        version, revision = gl.version()
        self.assertEqual(version, "17.6.0")
        self.assertTrue(revision)

    def test_owned_projects_across_several_pages(self):
        gl = user_client("alice")
        projects = gl.projects.list(min_access_level=50, per_page=2, get_all=True)
        self.assertEqual(
            sorted(p.path_with_namespace for p in projects),
            ["acme/docs", "acme/mobile-app", "acme/platform/api", "acme/platform/billing",
             "acme/website", "alice/dotfiles"])
        pages = gl.projects.list(min_access_level=50, per_page=4, iterator=True)
        self.assertEqual(pages.total, 6)
        self.assertEqual(pages.total_pages, 2)
        self.assertEqual(pages.per_page, 4)
        self.assertEqual(len(list(pages)), 6)
        self.assertEqual(pages.current_page, 2)
        self.assertIsNone(pages.next_page)

    def test_keyset_pagination(self):
        gl = user_client("alice")
        listed = gl.projects.list(pagination="keyset", order_by="id", sort="asc",
                                  per_page=2, min_access_level=50, iterator=True)
        ids = [p.id for p in listed]
        self.assertEqual(len(ids), 6)
        self.assertEqual(ids, sorted(ids))
        self.assertIsNone(listed.total)  # keyset sends no totals

    def test_project_by_path_and_not_found(self):
        gl = user_client("alice")
        api = gl.projects.get("acme/platform/api")
        self.assertEqual(api.path_with_namespace, "acme/platform/api")
        self.assertEqual(api.permissions["group_access"]["access_level"], 50)
        with self.assertRaises(gitlab.exceptions.GitlabGetError) as caught:
            gl.projects.get(999999)
        self.assertEqual(caught.exception.response_code, 404)
        outsider = user_client("oscar")
        with self.assertRaises(gitlab.exceptions.GitlabGetError):
            outsider.projects.get("acme/platform/api")

    def test_events(self):
        gl = user_client("alice")
        project = gl.projects.get("acme/platform/api")
        events = project.events.list(get_all=True, sort="asc")
        self.assertGreater(len(events), 20)
        names = {e.action_name for e in events}
        self.assertTrue({"pushed new", "pushed to", "opened", "accepted", "approved",
                         "commented on"} <= names, names)
        push = next(e for e in events if e.action_name == "pushed to")
        self.assertEqual(push.push_data["ref_type"], "branch")
        comment = next(e for e in events if e.action_name == "commented on")
        self.assertEqual(comment.note["noteable_type"], "MergeRequest")
        merged = project.events.list(get_all=True, action="merged")
        self.assertTrue(merged)
        self.assertTrue(all(e.action_name == "accepted" for e in merged))
        created = [e.created_at for e in events]
        self.assertEqual(created, sorted(created))
        day = created[len(created) // 2][:10]
        after = project.events.list(get_all=True, after=day)
        self.assertTrue(all(e.created_at[:10] > day for e in after))

    def test_commits(self):
        gl = user_client("alice")
        project = gl.projects.get("acme/platform/api")
        commits = project.commits.list(get_all=True, all=True, per_page=50)
        self.assertGreater(len(commits), 20)
        keyed = [c for c in commits if c.message.startswith("API-")]
        self.assertTrue(keyed)
        commit = project.commits.get(keyed[0].id)
        self.assertEqual(commit.id, keyed[0].id)
        self.assertIn("@", commit.author_email)
        self.assertEqual(commit.created_at, commit.committed_date)
        since = commits[len(commits) // 2].committed_date
        recent = project.commits.list(get_all=True, all=True, since=since)
        self.assertTrue(all(c.committed_date >= since for c in recent))
        main = project.commits.list(get_all=True, ref_name="main")
        self.assertTrue(any(len(c.parent_ids) == 2 for c in main))  # merge commits

    def test_merge_requests(self):
        gl = user_client("alice")
        project = gl.projects.get("acme/platform/api")
        merged = project.mergerequests.list(state="merged", get_all=True)
        self.assertTrue(merged)
        mr = project.mergerequests.get(merged[0].iid)
        self.assertEqual(mr.state, "merged")
        self.assertTrue(mr.source_branch.startswith("feature/API-"))
        self.assertTrue(mr.notes.list(get_all=True))
        self.assertTrue(mr.approvals.get().approved_by)
        ordered = project.mergerequests.list(state="all", order_by="updated_at", sort="asc",
                                             get_all=True)
        updated = [m.updated_at for m in ordered]
        self.assertEqual(updated, sorted(updated))

    def test_writes_as_a_user(self):
        gl = user_client("erin")
        project = gl.projects.get("acme/platform/billing")
        commit = project.commits.create({
            "branch": "feature/BILL-900-fidelity", "start_branch": "main",
            "commit_message": "BILL-900 Fidelity check",
            "actions": [{"action": "create", "file_path": "fidelity.txt", "content": "x"}]})
        self.assertEqual(commit.title, "BILL-900 Fidelity check")
        mr = project.mergerequests.create({
            "source_branch": "feature/BILL-900-fidelity", "target_branch": "main",
            "title": "BILL-900: Fidelity"})
        mr.notes.create({"body": "self review"})
        mr.merge()
        self.assertEqual(project.mergerequests.get(mr.iid).state, "merged")
        latest = project.events.list(per_page=3, get_all=False)
        self.assertEqual(latest[0].action_name, "accepted")
        issue = project.issues.create({"title": "BILL-901 follow-up"})
        issue.state_event = "close"
        issue.save()
        self.assertEqual(project.issues.get(issue.iid).state, "closed")

    def test_hooks_crud(self):
        gl = user_client("alice")
        project = gl.projects.get("acme/website")
        hook = project.hooks.create({"url": "http://127.0.0.1:9/hook", "push_events": True,
                                     "token": "secret-token"})
        self.assertNotIn("token", hook.attributes)
        self.assertEqual(hook.alert_status, "executable")
        hook.merge_requests_events = True
        hook.note_events = True
        hook.save()
        again = project.hooks.get(hook.id)
        self.assertTrue(again.merge_requests_events)
        self.assertTrue(again.note_events)
        self.assertEqual([h.id for h in project.hooks.list(get_all=True)], [hook.id])
        again.delete()
        self.assertEqual(project.hooks.list(get_all=True), [])
        with self.assertRaises(gitlab.exceptions.GitlabGetError):
            project.hooks.get(hook.id)
        developer = user_client("carol")
        with self.assertRaises(gitlab.exceptions.GitlabCreateError) as caught:
            developer.projects.get("acme/website").hooks.create({"url": "http://127.0.0.1:9/x"})
        self.assertEqual(caught.exception.response_code, 403)

    def test_users_search(self):
        gl = user_client("dave")
        self.assertEqual([u.username for u in gl.users.list(search="carol")], ["carol"])
        # carol's e-mail is public, bob's is not.
        self.assertEqual([u.username for u in gl.users.list(search="carol@acme.example")],
                         ["carol"])
        self.assertEqual(gl.users.list(search="bob@acme.example"), [])
        self.assertEqual([u.username for u in root().users.list(search="bob@acme.example")],
                         ["bob"])
        carol = gl.users.list(username="carol")[0]
        self.assertFalse(hasattr(carol, "email"))
        self.assertEqual(gl.users.get(carol.id).public_email, "carol@acme.example")
        everyone = gl.users.list(get_all=True, per_page=5)
        self.assertEqual(len(everyone), 13)

    def test_oauth_token_works_with_python_gitlab(self):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        browser = requests.Session()
        params = {"client_id": SIM["oauth_client_id"],
                  "redirect_uri": SIM["oauth_redirect_uri"], "response_type": "code",
                  "state": "xyz", "scope": "api", "code_challenge": challenge,
                  "code_challenge_method": "S256"}
        page = browser.get(SIM["url"] + "/oauth/authorize", params=params)
        self.assertIn("/users/sign_in", page.url)
        signed = browser.post(SIM["url"] + "/users/sign_in",
                              data={"user[login]": "alice", "user[password]": "worklog-demo"},
                              allow_redirects=True)
        self.assertIn("Authorize", signed.text)
        form = FormParser()
        form.feed(signed.text)
        approved = browser.post(SIM["url"] + form.action, data=form.fields,
                                allow_redirects=False)
        self.assertEqual(approved.status_code, 302)
        location = urllib.parse.urlparse(approved.headers["Location"])
        query = urllib.parse.parse_qs(location.query)
        self.assertEqual(query["state"], ["xyz"])
        token = requests.post(SIM["url"] + "/oauth/token", data={
            "client_id": SIM["oauth_client_id"], "code": query["code"][0],
            "grant_type": "authorization_code", "redirect_uri": SIM["oauth_redirect_uri"],
            "code_verifier": verifier}).json()
        self.assertEqual(token["expires_in"], 7200)
        gl = gitlab.Gitlab(SIM["url"], oauth_token=token["access_token"])
        gl.auth()
        self.assertEqual(gl.user.username, "alice")
        self.assertEqual(len(gl.projects.list(min_access_level=50, get_all=True)), 6)

    def test_rate_limit_is_retried_after_retry_after(self):
        gl = root()
        response = requests.post(SIM["url"] + "/-/sim/faults",
                                 headers={"PRIVATE-TOKEN": SIM["root_token"]},
                                 json={"kind": "status", "status": 429, "retry_after": 1,
                                       "count": 1})
        self.assertEqual(response.status_code, 201)
        # python-gitlab sleeps for Retry-After and retries (obey_rate_limit defaults to True).
        self.assertTrue(gl.projects.list(per_page=1, get_all=False))
        self.assertEqual(requests.get(SIM["url"] + "/-/sim/faults",
                                      headers={"PRIVATE-TOKEN": SIM["root_token"]}).json(), [])


def main():
    global WORKLOG
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worklog", required=True, help="path of the worklog binary")
    args, rest = parser.parse_known_args()
    WORKLOG = os.path.abspath(args.worklog)
    unittest.main(argv=[sys.argv[0], "-v"] + rest)


if __name__ == "__main__":
    main()
