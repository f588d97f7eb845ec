"""Release imports: a project's releases on GitHub, GitLab, PyPI and npm become Releases
here, by webhook (projects.imports.webhooks) or by polling (projects.imports.polling), and
a Keep-a-Changelog file backfills them (projects.imports.changelog). Every source turns
what it reads into `UpstreamRelease`s (projects.imports.upstream); one function applies
them (projects.imports.apply), so drafts or published, pre-releases, upstream edits and
deletions follow the same rules whatever the source."""
