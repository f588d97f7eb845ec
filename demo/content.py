"""The hand-written demo site: a fictional developer-blogger, their posts, projects and newsletter.

Everything here is data; `demo/seed.py` turns it into records (`manage.py seed_demo`). Dates
are given as days before the moment of seeding, so a fresh seed always looks recently active.
A negative `days_ago` schedules the item in the future.

The slugs, versions and issue subtitles listed here are also how the command recognises demo
records later (to replace them, and to refuse to touch a database with real content), so
renaming one of them orphans the old record: reseed a fresh database after such edits.
"""

from dataclasses import dataclass
from textwrap import dedent


def _md(text: str) -> str:
    """Let the texts below be indented with the code around them."""
    return dedent(text).strip() + "\n"


# --- The author -------------------------------------------------------------------------------

AUTHOR_NAME = "Riley Castellano"

SITE = {
    "author_name": AUTHOR_NAME,
    "tagline": "Product engineer, serverless advocate & recovering startup CTO",
    "site_description": (
        "Riley Castellano writes about serverless architecture, Python and Node tooling, "
        "databases, and what it takes to keep an open-source project alive."
    ),
    "bio": _md(
        """
        I build products on top of managed cloud services and write down what breaks along the
        way. Before going independent I spent eight years at three startups, two of which
        still exist, usually as the person who owned the deploy pipeline, the database and the
        pager at the same time.

        These days I maintain a couple of small open-source libraries for **serverless
        functions**, help teams move workloads off long-lived servers when it makes sense
        (and talk them out of it when it doesn't), and send a short newsletter every Monday.
        Say hello on [Mastodon](https://mastodon.example/@riley) or by email.
        """
    ),
    "github_url": "https://github.com/riley-castellano-demo",
    "twitter_url": "https://x.com/riley_castellano_demo",
    "linkedin_url": "https://www.linkedin.com/in/riley-castellano-demo",
    "mastodon_url": "https://mastodon.example/@riley",
    "bluesky_url": "https://bsky.app/profile/riley-castellano.example.com",
    "email": "riley@example.com",
    "newsletter_name": "Warm Start",
    "newsletter_pitch": "Practical serverless notes in one short email, every Monday morning.",
    "podcast_title": "Riley Castellano, read aloud",
    "podcast_description": (
        "Audio versions of Riley Castellano's posts on serverless architecture, databases "
        "and open-source maintenance."
    ),
    "podcast_category": "Technology",
}

# Colours of the generated avatar (background, initials).
AVATAR_COLOURS = ("#0f766e", "#f0fdfa")


# --- Categories -------------------------------------------------------------------------------

CATEGORIES = [
    {
        "slug": "serverless",
        "name": "Serverless",
        "description": (
            "Functions, queues and managed services: designing for them, debugging them and "
            "knowing when a plain server is the better answer."
        ),
    },
    {
        "slug": "databases",
        "name": "Databases",
        "description": (
            "Relational and otherwise: connections, query plans, migrations and picking the "
            "right store for the job."
        ),
    },
    {
        "slug": "open-source",
        "name": "Open source",
        "description": (
            "Maintaining libraries in public: releases, issues, contributors and the tooling "
            "that keeps a small project healthy."
        ),
    },
]


# --- Posts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPost:
    slug: str
    title: str
    days_ago: float
    categories: tuple[str, ...]
    body: str
    excerpt: str = ""
    featured: bool = False
    draft: bool = False
    audio: str = ""  # a file name in demo/audio/
    meta_description: str = ""


# The URL in the logging post is deliberately long and unbroken: it tests how the templates
# wrap text that has no spaces.
_LONG_URL = (
    "https://api.example.com/v2/accounts/acct_7f3d9a2c41b84e0f/invoices/search"
    "?status=overdue&created_after=2024-01-01T00%3A00%3A00Z&include=customer,line_items,"
    "payments,refunds&sort=-amount_due&page_size=250&cursor=eyJvZmZzZXQiOjUwMCwiaWQiOiJpbnZf"
    "OWMyYjQ0ZTEifQ&trace_id=0af7651916cd43dd8448eb211c80319c"
)
_LONG_WORD = "ValidationFailedBecauseTheUpstreamPaymentProviderReturnedAnUndocumentedStatusCode"

POSTS = [
    DemoPost(
        slug="cold-starts-are-a-budget",
        title="Cold starts are a budget, not a bug",
        days_ago=418.4,
        categories=("serverless",),
        audio="cold-starts-budget.mp3",
        excerpt=(
            "Every team I have worked with treated cold starts as a defect to eliminate. "
            "Treat them as a latency budget instead, and spend it on purpose."
        ),
        body=_md(
            """
            The first time a function runs in a fresh execution environment, the platform has
            to fetch your code, start a runtime and run everything at module level before it
            can call your handler. That delay is the cold start, and it is the first thing
            people complain about when they try serverless.

            I used to chase it like a bug. These days I treat it as a budget: a fixed amount
            of latency that a small share of requests will pay, which I can spend on things
            that make the other requests faster.

            ## Measure before you optimise

            The platform logs tell you how long initialisation took, but only for the
            requests that were cold. What you want is the distribution: how many requests are
            cold, and what the 99th percentile looks like with and without them. For a busy
            API the answer is often "well under one percent", at which point the cold start is
            not your latency problem.

            ## Spend the budget at module level

            Anything created outside the handler survives between invocations in the same
            environment. Clients, parsed configuration and compiled regular expressions belong
            there:

            ```python
            import json
            import os

            import boto3  # paid once per environment, not once per request

            TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


            def handler(event, context):
                order_id = event["pathParameters"]["id"]
                item = TABLE.get_item(Key={"id": order_id}).get("Item")
                if item is None:
                    return {"statusCode": 404, "body": "{}"}
                return {"statusCode": 200, "body": json.dumps(item, default=str)}
            ```

            That import costs a few hundred milliseconds once, and saves a connection setup
            on every warm request afterwards. It is a good trade.

            ## What actually shrinks the cold start

            - **Smaller packages.** The runtime has to load what you ship. Trim dependencies
              you import for one helper function.
            - **Lazy imports for rare paths.** The PDF library used by one admin endpoint
              does not need to load for every request.
            - **More memory.** CPU is allocated in proportion to memory, and initialisation
              is usually CPU-bound.
            - **Fewer functions.** Ten tiny functions have ten separate pools of warm
              environments. One function with a small router stays warm more often.

            Provisioned capacity exists too, and it works, but it is a bill you pay every
            hour to hide a cost you may not have measured. Measure first.
            """
        ),
    ),
    DemoPost(
        slug="connection-pooling-when-every-request-is-new",
        title="Connection pooling when every request is a new process",
        days_ago=384.7,
        categories=("databases", "serverless"),
        body=_md(
            """
            A traditional web server keeps a pool of ten or twenty database connections and
            shares them among thousands of requests. Functions turn that model inside out:
            every concurrent execution environment is its own process with its own pool, and
            the platform will happily run a few hundred of them at once.

            Your relational database does not scale the same way. Each connection costs
            memory on the server, and `max_connections` is a hard ceiling. The failure mode is
            sudden: traffic spikes, concurrency rises, and new connections are refused while
            hundreds of idle ones sit in environments that are frozen between requests.

            ## Step one: see the problem

            On PostgreSQL, count connections by state. A large number of `idle` connections
            from your function's user is the signature:

            ```sql
            SELECT usename, state, count(*) AS connections
            FROM pg_stat_activity
            WHERE datname = current_database()
            GROUP BY usename, state
            ORDER BY connections DESC;
            ```

            ## Step two: one connection per environment

            A pool inside a function should almost always have a size of one. The environment
            handles one request at a time, so a second connection can only ever sit idle:

            ```javascript
            import pg from "pg";

            // Created at module level so warm invocations reuse it.
            const pool = new pg.Pool({
              connectionString: process.env.DATABASE_URL,
              max: 1,
              idleTimeoutMillis: 30_000,
            });

            export async function handler(event) {
              const { rows } = await pool.query(
                "SELECT id, title FROM posts WHERE author_id = $1 ORDER BY id DESC LIMIT 20",
                [event.pathParameters.authorId],
              );
              return { statusCode: 200, body: JSON.stringify(rows) };
            }
            ```

            The idle timeout matters more than it looks. A frozen environment cannot close
            its own connection, but the next time it thaws, a short timeout means the stale
            connection is discarded instead of reused after the server has already dropped
            it.

            ## Step three: put something in between

            Past a certain concurrency, no client-side trick is enough, and you need a proxy
            that multiplexes many client connections onto a few server ones. Managed poolers
            do this well for short transactions. Session-level features such as prepared
            statements, advisory locks and `SET` commands are where they bite, so read the
            fine print on transaction-mode pooling before you switch.

            The other lever is the one people forget: cap the function's concurrency. A
            reserved concurrency of fifty is a promise that you will never open fifty-one
            connections.
            """
        ),
    ),
    DemoPost(
        slug="maintaining-a-framework-nobody-was-supposed-to-use",
        title="What I learned maintaining a framework nobody was supposed to use",
        days_ago=351.2,
        categories=("open-source",),
        excerpt=(
            "I wrote a small routing library for one client project. Six years and a few "
            "thousand installs later, here is what maintaining it taught me."
        ),
        body=_md(
            """
            Lambda Router started as three hundred lines inside a client's repository. The
            project needed a dozen HTTP endpoints in one function, and the frameworks of the
            day either assumed a long-running server or pulled in a dependency tree larger
            than the application. I extracted it, published it under a permissive licence,
            and assumed nobody would notice.

            People noticed. Not many at first, but enough that issues started arriving from
            teams running it in production at companies I had heard of.

            ## Things I would tell myself on day one

            1. **Write the changelog before the code.** If you cannot describe a change in two
               sentences to a user, you do not understand it well enough to ship it.
            2. **Every option is forever.** Removing a configuration flag breaks someone, so
               the cheapest time to say no to it is before it exists.
            3. **Tests are documentation for contributors.** A good test suite is how a
               stranger learns what the library promises.
            4. **Automate releases early.** Manual releases get postponed; postponed releases
               get big; big releases break things.

            ## The issue that changed how I work

            A few years in, a user opened an issue that I still think about:

            > I don't need a new feature. I need to know whether this project will still be
            > maintained next year, because we are deciding whether to build on it.

            I had no answer. There was no roadmap, no second maintainer and no written policy
            for security fixes. The next month I wrote a short `MAINTAINERS.md`, a support
            policy that says which versions get fixes, and a list of what the library will
            never do. None of it took long, and it answered that question for everyone who
            came after.

            ## What I did not expect

            The code was never the hard part. The hard parts were saying no, keeping the
            issue tracker from becoming a support desk, and finding people who cared enough to
            review pull requests. If you are about to publish something small, budget your
            time for those, not for the next feature.
            """
        ),
    ),
    DemoPost(
        slug="making-queue-consumers-idempotent",
        title="Making queue consumers idempotent",
        days_ago=319.9,
        categories=("serverless", "databases"),
        body=_md(
            """
            Every managed queue I have used promises *at-least-once* delivery. Read that
            carefully: at least once. Retries after a timeout, a consumer that crashes after
            doing the work but before acknowledging it, a redrive from the dead-letter queue:
            all of them deliver the same message again.

            If processing a message twice sends two emails or charges a card twice, you have a
            bug that will show up in production and nowhere else.

            ## Record what you have done, in the same transaction

            The pattern that has never let me down is an idempotency table keyed by the
            message's own identifier, written in the same database transaction as the side
            effect:

            ```sql
            CREATE TABLE processed_messages (
                message_id   text PRIMARY KEY,
                processed_at timestamptz NOT NULL DEFAULT now()
            );
            ```

            The consumer tries to claim the message first. If the insert does nothing,
            someone already did the work:

            ```python
            def handle(message, conn):
                with conn.transaction():
                    claimed = conn.execute(
                        "INSERT INTO processed_messages (message_id) VALUES (%s) "
                        "ON CONFLICT (message_id) DO NOTHING",
                        [message["id"]],
                    ).rowcount
                    if not claimed:
                        return "duplicate"
                    conn.execute(
                        "UPDATE accounts SET balance = balance + %s WHERE id = %s",
                        [message["amount"], message["account_id"]],
                    )
                return "processed"
            ```

            Because both statements commit together, there is no window in which the work is
            done but not recorded, or recorded but not done.

            ## When the side effect is outside your database

            Sending an email or calling a payment API cannot join your transaction. Two
            options work:

            - Pass an idempotency key to the external API, derived from the message id, if
              the API supports one. Most payment providers do.
            - Write an *outbox* row in the transaction and let a separate consumer deliver it.
              You have moved the problem, but to a place where it is easier to reason about.

            Finally, clean the table up. A message id only needs to be remembered for as long
            as the queue might redeliver it, plus a safety margin. A nightly delete of rows
            older than two weeks keeps it small.
            """
        ),
    ),
    DemoPost(
        slug="timeouts-all-the-way-down",
        title="Timeouts all the way down",
        days_ago=289.3,
        categories=("serverless",),
        body=_md(
            """
            A request from a browser to your database passes through half a dozen components,
            and each of them has its own idea of how long is too long. When those ideas
            disagree, you get the most confusing class of production incident: the work
            succeeds, but the caller has already given up.

            ## Draw the chain

            Here is the chain for a typical API built on functions, with the defaults I keep
            running into. Your numbers will differ; the point is to write yours down.

            | Layer | Typical default | What happens when it fires |
            |:------|----------------:|:---------------------------|
            | Browser `fetch` | none | The user waits until they give up |
            | CDN / edge | 30-60 s | 504 returned to the browser |
            | API gateway | 29-30 s | 504, the function keeps running |
            | Function | 3-15 s | Execution stopped mid-flight |
            | Database client | none | Query runs until the function dies |
            | Database statement | none | Query runs even after the client is gone |

            Two rows in that table should worry you: the ones that say *none*.

            ## The rule

            Each layer's timeout should be a little shorter than the layer above it. The
            innermost layer gives up first, cleanly, with an error the outer layers can turn
            into a useful response.

            In practice that means setting a statement timeout on the database connection that
            is shorter than the function timeout, which is shorter than the gateway timeout:

            ```python
            import psycopg

            conn = psycopg.connect(DATABASE_URL, options="-c statement_timeout=5000")
            ```

            ## Retries multiply

            If the client retries three times and the function retries each database call
            three times, one slow query becomes nine. Decide which single layer owns retries,
            and make every other layer fail fast.
            """
        ),
    ),
    DemoPost(
        slug="sqlite-postgres-or-key-value",
        title="SQLite, Postgres or a key-value store for your side project?",
        days_ago=261.6,
        categories=("databases",),
        excerpt=(
            "A decision guide for the database under a side project, from someone who has "
            "picked wrong in each direction."
        ),
        body=_md(
            """
            Side projects die of boredom, not of scale. The database you pick should make the
            boring parts (backups, migrations, local development) as short as possible, so you
            spend your limited evenings on the part that is actually fun.

            ## Start with SQLite

            If the project runs on one machine, SQLite is almost certainly enough. It is a
            file, so backups are a copy, local development needs no service, and tests run
            against the real thing. With write-ahead logging on, readers no longer block the
            writer:

            ```sql
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA busy_timeout = 5000;
            ```

            The limits are real but far away: one writer at a time, and one machine.

            ## Move to Postgres when

            - more than one server needs to write;
            - you need a feature SQLite lacks, such as row-level security or proper
              full-text ranking;
            - you are deploying to a platform where the filesystem disappears between
              deploys.

            A managed Postgres instance costs a few dollars a month and removes the backup
            question entirely.

            ## Reach for a key-value store when

            Your access patterns are known up front, every read is by key, and you want the
            database to scale to zero with your functions. It is a wonderful fit for session
            data and event logs, and a painful one for anything you will want to query in a
            way you have not thought of yet. Side projects are mostly made of those.
            """
        ),
    ),
    DemoPost(
        slug="release-notes-people-actually-read",
        title="Release notes people actually read",
        days_ago=230.8,
        categories=("open-source",),
        body=_md(
            """
            Most changelogs are a list of commit messages with the version number on top. They
            answer the maintainer's question (what did we merge?) instead of the user's (do I
            need to do anything?).

            ## Lead with what the reader must do

            If an upgrade needs action, that goes first, in its own section, in plain words.
            Everything else is optional reading. A template I have used on every project for
            years:

            ```markdown
            ## 2.3.0

            ### Upgrading
            Nothing to do, unless you pass `timeout` as a string: pass a number of seconds.

            ### Added
            - `router.use()` accepts an array of middleware.

            ### Fixed
            - HEAD requests no longer return a body.
            ```

            ## Write for the person skimming

            - One line per change. Details belong in the linked pull request.
            - Describe behaviour, not implementation: "errors now include the request id",
              not "refactor error handler".
            - Credit contributors by name. It costs nothing and brings them back.
            - Keep the unreleased section in the repository, and add to it in the same pull
              request as the change. Writing notes at release time means reconstructing
              months of context from memory.

            ## Version numbers are part of the message

            Semantic versioning is a promise about what a number means. Keep it, and the
            version alone tells a user whether to read the notes carefully. Break it once, and
            nobody trusts your minor versions again.
            """
        ),
    ),
    DemoPost(
        slug="bundling-node-functions-with-esbuild",
        title="Bundling Node functions with esbuild: the thirty-line config",
        days_ago=197.5,
        categories=("serverless",),
        body=_md(
            """
            Shipping a `node_modules` folder to a function is the easiest way to get a slow
            cold start and a deployment package measured in tens of megabytes. Bundling fixes
            both: one file, containing only the code that is actually reachable from the
            handler.

            ## The build script

            I have converged on a short build script rather than a plugin for a deployment
            framework, because it works the same under every framework:

            ```javascript
            // build.mjs
            import { build } from "esbuild";
            import { readdir } from "node:fs/promises";

            const handlers = (await readdir("src/handlers")).filter((f) => f.endsWith(".ts"));

            await build({
              entryPoints: handlers.map((f) => `src/handlers/${f}`),
              outdir: "dist",
              bundle: true,
              platform: "node",
              target: "node20",
              format: "esm",
              outExtension: { ".js": ".mjs" },
              minify: true,
              sourcemap: "linked",
              // The runtime ships the AWS SDK v3; bundling it only makes the package larger.
              external: ["@aws-sdk/*"],
              banner: {
                // Some CommonJS dependencies still call require() inside an ES module.
                js: [
                  "import { createRequire } from 'module';",
                  "const require = createRequire(import.meta.url);",
                ].join(" "),
              },
            });
            ```

            ## Checking what went in

            esbuild can write a metafile describing every input that ended up in each output.
            Look at it whenever a bundle grows unexpectedly:

            ```bash
            node build.mjs --metafile=meta.json
            npx esbuild-visualizer --metadata meta.json --filename bundle-report.html
            ls -lh dist/
            ```

            The first time I ran this on an old project, a date-formatting library accounted
            for forty percent of every function. Replacing it with `Intl.DateTimeFormat` took
            an afternoon and cut cold starts by a third.

            ## Source maps or it didn't happen

            Minified stack traces are useless. Ship the linked source map and enable source
            map support in the runtime with `NODE_OPTIONS=--enable-source-maps`. The cost is a
            slightly slower first error; the benefit is a stack trace you can read.
            """
        ),
    ),
    DemoPost(
        slug="python-project-skeleton-one-tool-per-job",
        title="My Python project skeleton: one tool per job",
        days_ago=164.2,
        categories=("open-source",),
        body=_md(
            """
            Every new Python library I start gets the same skeleton. It has changed less in
            the last few years than in the decade before, because the tools finally settled
            into clear jobs.

            ## The layout

            ```bash
            mkdir -p src/tinyqueue tests
            touch src/tinyqueue/__init__.py src/tinyqueue/py.typed tests/__init__.py
            git init && git add -A && git commit -m "Skeleton"
            ```

            A `src/` layout means the tests import the installed package, not whatever
            happens to be in the working directory, which catches packaging mistakes before
            users do.

            ## One configuration file

            ```toml
            [project]
            name = "tinyqueue"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = []

            [tool.ruff]
            line-length = 100

            [tool.ruff.lint]
            select = ["E", "F", "I", "B", "UP"]

            [tool.pytest.ini_options]
            addopts = "-ra --strict-markers"
            ```

            ## The jobs

            - **Environments and locking:** one tool that creates the virtual environment and
              pins every dependency.
            - **Formatting and linting:** one fast tool for both, run on save and in CI.
            - **Tests:** pytest, with coverage only in CI so local runs stay quick.
            - **Releases:** a CI job triggered by a tag, publishing with trusted publishing so
              no long-lived token exists anywhere.

            The important word is *one*. Two formatters, or a linter that disagrees with the
            formatter, cost more in review comments than they ever save.
            """
        ),
    ),
    DemoPost(
        slug="reading-explain-plans-without-fear",
        title="Reading EXPLAIN plans without fear",
        days_ago=130.6,
        categories=("databases",),
        audio="reading-explain-plans.ogg",
        body=_md(
            """
            Query plans look intimidating because they print a lot of numbers at once. You
            need surprisingly few of them to find the usual problems.

            ## Always use ANALYZE (on a copy)

            Plain `EXPLAIN` shows what the planner *expects*. `EXPLAIN ANALYZE` runs the query
            and shows what *happened*, and the gap between the two is where most bugs live.
            It really executes the statement, so wrap writes in a transaction you roll back:

            ```sql
            BEGIN;
            EXPLAIN (ANALYZE, BUFFERS)
            SELECT p.id, p.title
            FROM posts AS p
            JOIN post_categories AS pc ON pc.post_id = p.id
            WHERE pc.category_id = 3
              AND p.status = 'published'
            ORDER BY p.published_at DESC
            LIMIT 20;
            ROLLBACK;
            ```

            ## The three things I look at

            1. **Estimated versus actual rows.** When the planner expected 10 rows and got
               100,000, every decision after that was made on bad information. Fresh
               statistics (`ANALYZE posts;`) fix more slow queries than new indexes do.
            2. **The node with the largest actual time.** Times are cumulative, so read from
               the innermost nodes outwards and find where the time jumps.
            3. **Sequential scans on big tables under a LIMIT.** Sorting a whole table to
               return twenty rows usually means an index on the sort column is missing.

            ## An index that matches the query

            For the query above, an index on the filter column followed by the sort column
            lets the database read the first twenty rows in order and stop:

            ```sql
            CREATE INDEX CONCURRENTLY posts_status_published_idx
                ON posts (status, published_at DESC);
            ```

            Check the plan again afterwards. An index the planner does not use is just a
            slower `INSERT`.
            """
        ),
    ),
    DemoPost(
        slug="logging-the-request-that-broke-production",
        title="Logging the request that broke production",
        days_ago=96.9,
        categories=("serverless",),
        body=_md(
            f"""
            At three in the morning, the question is always the same: *which request did
            this?* If your logs cannot answer it in one search, they are a diary, not a tool.

            ## One JSON object per line

            Structured logs cost nothing to write and make every later question cheaper. Bind
            the request id once, and every line carries it:

            ```python
            import json
            import logging
            import sys


            class JsonFormatter(logging.Formatter):
                def format(self, record):
                    entry = {{
                        "level": record.levelname,
                        "message": record.getMessage(),
                        "request_id": getattr(record, "request_id", None),
                    }}
                    return json.dumps(entry)


            handler = logging.StreamHandler(sys.stdout)
            handler.setFormatter(JsonFormatter())
            logging.basicConfig(level=logging.INFO, handlers=[handler])
            ```

            ## Log the inputs you will need, and redact the rest

            The failing request last month was a call to an upstream billing API. The log line
            that saved us contained the full URL, which looked like this:

            <{_LONG_URL}>

            Ugly, but it told us immediately which account and which page of results had
            triggered the failure. The error it produced was just as unhelpful as it was long:
            `{_LONG_WORD}`.

            Redact before you log, not after: tokens, email addresses and anything a customer
            typed. A log pipeline is a copy of your data that nobody thinks of as a database.

            ## Keep the noise down

            - Log once per request at INFO, with the outcome and duration.
            - Log at WARNING when something was retried, at ERROR when it failed for good.
            - Sample DEBUG logs instead of turning them off; one percent of detailed logs beats
              none when the bug is rare.
            """
        ),
    ),
    DemoPost(
        slug="saying-no-to-feature-requests-kindly",
        title="Saying no to feature requests, kindly",
        days_ago=63.4,
        categories=("open-source",),
        audio="saying-no-kindly.mp3",
        excerpt=(
            "Most feature requests for a small library deserve a no. Here is how I say it "
            "without losing the person who asked."
        ),
        body=_md(
            """
            The feature request is reasonable. The person asking is polite, has a real use
            case and has even offered to write the code. And the answer is still no, because
            every feature is a permanent cost paid by the maintainers and a small tax on every
            user who has to read past it in the documentation.

            ## Thank them for the use case, not the feature

            The most useful part of a feature request is the problem behind it. I start by
            restating that problem in my own words, which shows I read it and often reveals
            that an existing feature already solves it.

            > Thanks for writing this up so clearly. If I understand it, you need to run some
            > code after every response, including errors. You can do that today with a
            > `finally` hook; here is a ten-line example.

            ## Say why, once

            When the answer is no, one short paragraph explains the reason: it belongs in a
            plugin, it would change behaviour for existing users, or it is simply outside what
            the library is for. I link to the project's *non-goals* list, which exists mostly
            so that I do not have to argue the same point from scratch every month.

            ## Leave a door open

            - Suggest where the feature could live: a plugin, a recipe in the docs, a fork.
            - Offer to review that plugin or link to it from the README.
            - Close the issue, so the tracker stays a list of work that will actually happen.

            People remember how a no felt long after they forget what they asked for. Most of
            the contributors I rely on today first showed up with a request I turned down.
            """
        ),
    ),
    DemoPost(
        slug="event-driven-without-the-confusion",
        title="Event-driven doesn't have to mean eventually confusing",
        days_ago=29.5,
        categories=("serverless", "databases"),
        featured=True,
        meta_description=(
            "Four habits that keep an event-driven serverless system understandable: "
            "contracts, correlation ids, replayable events and one owner per event."
        ),
        body=_md(
            """
            Event-driven systems are sold on decoupling: the producer does not know who
            listens, so you can add consumers without touching it. Six months later, nobody
            can answer the question "what happens when an order is placed?" without reading
            five repositories.

            The decoupling is real. So is the confusion. These are the habits that have kept
            the confusion manageable on the systems I have worked on.

            ## 1. Events are contracts

            An event's shape is a public API. Version it, document it next to the code that
            publishes it, and add fields rather than changing them. A schema registry is nice
            to have; a `events/` folder with one JSON Schema per event type is enough to
            start.

            ```javascript
            export const OrderPlaced = {
              type: "order.placed",
              version: 2,
              required: ["orderId", "customerId", "totalCents", "placedAt"],
            };
            ```

            ## 2. Every event carries a correlation id

            The id of the request that started the chain travels in every event and every log
            line it causes. Tracing a customer's complaint becomes one search instead of an
            afternoon.

            ## 3. Events can be replayed

            Store every published event, with its original timestamp, before fanning it out.
            When a consumer had a bug for a week, you replay that week into the fixed
            consumer instead of writing a one-off migration script.

            ## 4. One owner per event type

            Exactly one service publishes `order.placed`. If two services can, nobody owns
            the contract, and the event slowly grows fields that only one of them fills in.

            ## The map

            Finally, draw the map and keep it in the repository: events as arrows, services
            as boxes. It will be wrong within a month. Update it anyway; a slightly wrong map
            beats no map every time.
            """
        ),
    ),
    DemoPost(
        slug="expand-migrate-contract",
        title="Schema changes without downtime: expand, migrate, contract",
        days_ago=-3,
        categories=("databases",),
        body=_md(
            """
            Renaming a column sounds like a one-line migration. With a deployed application
            reading that column, it is a three-release project, because for a few minutes
            during every deploy the old code and the new code run at the same time against
            the same database.

            ## Expand

            Add the new structure next to the old one, without removing anything. Both the
            old and the new code keep working:

            ```sql
            ALTER TABLE customers ADD COLUMN display_name text;
            ```

            Deploy code that writes to both columns and still reads the old one.

            ## Migrate

            Backfill in batches small enough not to hold long locks, so the table stays
            writable while the backfill runs:

            ```sql
            UPDATE customers
            SET display_name = full_name
            WHERE id IN (
                SELECT id FROM customers
                WHERE display_name IS NULL
                LIMIT 5000
            );
            ```

            Repeat until no rows are updated, then deploy code that reads the new column.

            ## Contract

            Once nothing reads the old column, and you have waited long enough to be sure no
            old version of the code will be rolled back into service, drop it:

            ```sql
            ALTER TABLE customers DROP COLUMN full_name;
            ```

            Three deploys for a rename feels slow. It is much faster than an outage.
            """
        ),
    ),
    DemoPost(
        slug="cost-alarms-for-side-projects",
        title="Cost alarms for side projects (draft)",
        days_ago=1.2,
        categories=("serverless",),
        draft=True,
        body=_md(
            """
            Pay-per-use pricing is wonderful right up to the night a retry loop runs for six
            hours. Every side project I deploy now gets a billing alarm before it gets a
            domain name.

            ## The minimum

            ```bash
            # Alert by email when the month's estimated charges pass 20 (in the account's
            # currency). Replace the topic with one you are subscribed to.
            aws cloudwatch put-metric-alarm \\
              --alarm-name monthly-spend-over-20 \\
              --namespace AWS/Billing --metric-name EstimatedCharges \\
              --dimensions Name=Currency,Value=USD \\
              --statistic Maximum --period 21600 --evaluation-periods 1 \\
              --threshold 20 --comparison-operator GreaterThanThreshold \\
              --alarm-actions arn:aws:sns:us-east-1:123456789012:billing-alerts
            ```

            TODO: concurrency limits as a circuit breaker; budgets with actions; what to do
            when the alarm fires at 2 a.m.
            """
        ),
    ),
]


# --- Series and update notes -------------------------------------------------------------------

# Posts that read in order. Recognised later by slug, like the posts.
SERIES = [
    {
        "slug": "serverless-in-production",
        "title": "Serverless in production",
        "description": _md(
            """
            What nobody tells you in the getting-started guide: cold starts, connections,
            timeouts and logs, in the order they tend to bite. Each part stands on its own,
            but they build on each other.
            """
        ),
        "posts": [
            "cold-starts-are-a-budget",
            "connection-pooling-when-every-request-is-new",
            "timeouts-all-the-way-down",
            "logging-the-request-that-broke-production",
        ],
    },
]

# Dated notes added to published posts after publication: (post slug, days ago, Markdown).
POST_UPDATES = [
    (
        "connection-pooling-when-every-request-is-new",
        41.5,
        "Several readers asked about **RDS Proxy's pinning**: it is now covered in the section "
        "on prepared statements, with the setting that avoids it.",
    ),
    (
        "connection-pooling-when-every-request-is-new",
        12.2,
        "The pool sizes in the table were measured again on the current runtime; the "
        "conclusions hold.",
    ),
]


# --- Projects and releases --------------------------------------------------------------------


@dataclass(frozen=True)
class DemoRelease:
    version: str
    days_ago: float
    summary: str
    notes: str


@dataclass(frozen=True)
class DemoProject:
    slug: str
    name: str
    tagline: str
    description: str
    repository_url: str
    package_url: str
    docs_url: str
    display_order: int
    releases: tuple[DemoRelease, ...]
    # Where releases are imported from (projects.imports), and how they arrive.
    github_repo: str = ""
    import_mode: str = "draft"


PROJECTS = [
    DemoProject(
        slug="lambda-router",
        name="Lambda Router",
        tagline="A lightweight web framework for serverless functions",
        repository_url="https://github.com/riley-castellano-demo/lambda-router",
        package_url="https://www.npmjs.com/package/lambda-router-demo",
        github_repo="riley-castellano-demo/lambda-router",
        import_mode="published",
        docs_url="https://lambda-router.example.com/docs/",
        display_order=1,
        description=_md(
            """
            Lambda Router gives a single serverless function the routing, middleware and
            error handling you would expect from a web framework, with **no dependencies**
            and a cold-start cost measured in single-digit milliseconds.

            - Routes with path parameters, wildcards and per-method handlers
            - Middleware that runs before and after handlers, including on errors
            - Works with API gateway and function-URL events, version 1 and 2 payloads
            - Typed request and response objects for TypeScript users

            ```javascript
            import { createRouter } from "lambda-router-demo";

            const app = createRouter();
            app.get("/orders/:id", async (req, res) => res.json(await getOrder(req.params.id)));

            export const handler = app.handler();
            ```
            """
        ),
        releases=(
            DemoRelease(
                version="0.8.0",
                days_ago=401.1,
                summary=(
                    "Middleware can now run after a handler has thrown, which makes "
                    "consistent error responses and request logging a one-liner."
                ),
                notes=_md(
                    """
                    ### Added
                    - `app.onError()` registers middleware that runs when a handler throws.
                    - `res.status()` can be chained with every response helper.
                    - Support for payload format version 2 events.

                    ### Fixed
                    - Query strings with repeated keys are parsed into arrays.
                    - `HEAD` requests no longer include a response body.
                    """
                ),
            ),
            DemoRelease(
                version="0.9.0",
                days_ago=274.5,
                summary=(
                    "TypeScript definitions ship with the package, and routes can be "
                    "grouped under a shared prefix with their own middleware."
                ),
                notes=_md(
                    """
                    ### Added
                    - Bundled TypeScript definitions for the router, request and response.
                    - `app.group("/admin", middleware, routes)` for prefixed route groups.
                    - A `maxBodySize` option that rejects oversized bodies with a 413.

                    ### Fixed
                    - Base64-encoded bodies are decoded before JSON parsing.
                    - Trailing slashes no longer cause a 404 when `strict` is off.
                    """
                ),
            ),
            DemoRelease(
                version="0.10.0",
                days_ago=139.8,
                summary=(
                    "Streaming responses arrive for function URLs, and routing is roughly "
                    "twice as fast for apps with more than fifty routes."
                ),
                notes=_md(
                    """
                    ### Added
                    - `res.stream()` for response streaming on function URLs.
                    - Route matching compiles to a single lookup tree at startup.
                    - `req.id` exposes the platform's request id for logging.

                    ### Changed
                    - The minimum supported Node.js version is now 18.

                    ### Fixed
                    - Cookies with `=` in their value are parsed correctly.
                    """
                ),
            ),
            DemoRelease(
                version="0.10.1",
                days_ago=44.2,
                summary=(
                    "A bug-fix release: CORS preflight requests for grouped routes "
                    "received the wrong allowed methods."
                ),
                notes=_md(
                    """
                    ### Fixed
                    - CORS preflight responses list the methods of routes inside groups.
                    - `res.redirect()` sets a relative `Location` header as given.
                    - The TypeScript type of `req.query` allows string arrays.
                    """
                ),
            ),
        ),
    ),
    DemoProject(
        slug="serverless-pool",
        name="Serverless Pool",
        tagline="A MySQL and PostgreSQL connection manager for serverless functions",
        repository_url="https://github.com/riley-castellano-demo/serverless-pool",
        package_url="https://www.npmjs.com/package/serverless-pool-demo",
        github_repo="riley-castellano-demo/serverless-pool",
        docs_url="https://serverless-pool.example.com/",
        display_order=2,
        description=_md(
            """
            Serverless Pool keeps a function's database connection healthy across warm
            invocations and keeps the *total* number of connections under control when
            hundreds of functions run at once.

            It watches the server's connection count, closes idle connections left behind
            by frozen execution environments, and retries with jittered backoff when the
            server refuses new connections instead of failing the request.

            | Setting | Default | Purpose |
            |---------|--------:|---------|
            | `maxConnsFraction` | 0.8 | Start cleaning up above this share of `max_connections` |
            | `zombieMaxAgeSeconds` | 900 | Idle connections older than this are closed |
            | `retries` | 5 | Connection attempts before giving up |
            """
        ),
        releases=(
            DemoRelease(
                version="0.5.0",
                days_ago=369.3,
                summary=(
                    "PostgreSQL support joins MySQL, sharing the same cleanup strategy and "
                    "configuration options."
                ),
                notes=_md(
                    """
                    ### Added
                    - PostgreSQL support through the `pg` driver.
                    - An `onConnect` hook for session settings such as time zone.

                    ### Fixed
                    - The connection count query no longer needs the `PROCESS` privilege.
                    """
                ),
            ),
            DemoRelease(
                version="0.6.0",
                days_ago=239.7,
                summary=(
                    "Connection attempts now back off with full jitter, which stops a "
                    "thundering herd of functions from retrying in lockstep."
                ),
                notes=_md(
                    """
                    ### Added
                    - Full-jitter exponential backoff, configurable with `backoff`.
                    - A `stats()` method returning connection and retry counters.

                    ### Fixed
                    - Transactions are rolled back before a connection is reused.
                    - Cleanup skips connections from other database users.
                    """
                ),
            ),
            DemoRelease(
                version="0.7.0",
                days_ago=79.4,
                summary=(
                    "Works behind managed connection poolers: cleanup is switched off "
                    "automatically when the server is a proxy."
                ),
                notes=_md(
                    """
                    ### Added
                    - Detection of transaction-mode poolers, with cleanup disabled behind them.
                    - `end()` waits for in-flight queries before closing.

                    ### Fixed
                    - A refused connection no longer leaks a socket on Node.js 20.
                    - Timeouts are reported as `ETIMEDOUT` instead of a generic error.
                    """
                ),
            ),
        ),
    ),
]


# --- Newsletter -------------------------------------------------------------------------------

# `{post:<slug>}` is replaced by the post's URL when seeding.


@dataclass(frozen=True)
class DemoIssue:
    subtitle: str
    days_ago: float
    body: str


ISSUES = [
    DemoIssue(
        subtitle="Welcome, and the three timeouts you forgot to set",
        days_ago=20.3,
        body=_md(
            """
            Hello, and thanks for subscribing. Each Monday you will get a handful of links
            I found useful, one thing I learned the hard way, and occasionally a release
            note. It should take about five minutes to read.

            ## This week

            - **[Timeouts all the way down]({post:timeouts-all-the-way-down})**: my
              checklist for lining up timeouts from the browser to the database.
            - **[A field guide to retry storms](https://example.org/articles/retry-storms)**:
              a clear explanation of why retries at every layer multiply.
            - **[Statement timeouts in practice](https://example.net/blog/statement-timeout)**:
              how one team rolled out a default statement timeout without breaking reports.

            ## One thing I learned

            A database statement timeout is the cheapest insurance you can buy. Set it per
            role, so reporting jobs can opt into a longer one.

            See you next Monday.

            Riley
            """
        ),
    ),
    DemoIssue(
        subtitle="Idempotency, and a release with streaming responses",
        days_ago=13.1,
        body=_md(
            """
            Two readers wrote in about duplicate messages last week, so this issue is mostly
            about idempotency.

            ## Links

            - **[Making queue consumers idempotent]({post:making-queue-consumers-idempotent})**:
              the pattern I use everywhere, with the SQL.
            - **[Outbox tables, explained slowly](https://example.org/articles/outbox)**: a
              patient walk through the outbox pattern with diagrams.
            - **[Idempotency keys in payment APIs](https://example.com/guides/idempotency)**:
              what providers actually guarantee when you send the same key twice.

            ## From the projects

            Lambda Router 0.10 added streaming responses. If you try it with a large export
            endpoint, I would love to hear how it behaves.

            Riley
            """
        ),
    ),
    DemoIssue(
        subtitle="Events, replays and a map that is always slightly wrong",
        days_ago=6.2,
        body=_md(
            """
            This week: keeping event-driven systems understandable.

            ## Links

            - **[Event-driven, without the confusion]({post:event-driven-without-the-confusion})**:
              four habits, one of which is drawing a map you know will go stale.
            - **[Designing event schemas that survive](https://example.net/posts/event-schemas)**:
              additive changes, versions and when to publish a new event type instead.
            - **[Replaying a week of events](https://example.org/case-studies/replay)**: a
              candid write-up of a replay that went wrong, and the fix.

            ## Question of the week

            Do you store every event before fanning it out? Reply and tell me how you keep
            the archive from growing forever; I will share the best answers next week.

            Riley
            """
        ),
    ),
]

DEMO_SUBSCRIBER_COUNT = 25


def demo_subscriber_email(n: int) -> str:
    return f"reader{n}@example.com"


# --- Synthetic records (--posts, --releases, --issues) ----------------------------------------
# Building blocks for benchmark data. A few bodies are assembled from these once, rendered once,
# and reused for thousands of rows.

SYNTHETIC_TITLE_OPENERS = [
    "Notes on",
    "A closer look at",
    "Lessons from",
    "Revisiting",
    "Five questions about",
    "Getting started with",
    "Debugging",
    "What changed in",
    "A checklist for",
    "Rethinking",
]

SYNTHETIC_TOPICS = [
    "cold starts",
    "connection limits",
    "queue retries",
    "dead-letter queues",
    "schema migrations",
    "index design",
    "release automation",
    "dependency updates",
    "structured logging",
    "function packaging",
    "read replicas",
    "event schemas",
    "API rate limits",
    "background jobs",
    "test fixtures",
]

SYNTHETIC_PARAGRAPHS = [
    "Most of the time the problem is not the platform but an assumption we carried over "
    "from long-running servers. Writing the assumption down is usually enough to see it.",
    "The measurements came first. Before changing anything, I recorded the 50th, 95th and "
    "99th percentile latencies for a week, so the comparison afterwards would be honest.",
    "A small change in configuration removed most of the errors. The rest came from a "
    "dependency that retried silently, which took longer to find than to fix.",
    "The documentation describes the happy path well. The edge cases live in issue threads, "
    "so I collected the ones that mattered into a single page for the team.",
    "We moved the slow part out of the request path and into a queue. Users now get an "
    "answer in milliseconds and a notification when the work is done.",
    "Tests caught the regression, but only because a contributor had added a case for it "
    "two years earlier. Thank you, whoever you are.",
    "Each layer had its own default, and none of them agreed. Aligning them took an "
    "afternoon and a table in the README.",
    "The database was fine. The client opened a new connection for every query, and the "
    "server spent more time on handshakes than on work.",
    "Rolling the change out behind a flag meant we could compare both paths in production "
    "for a week before deleting the old one.",
    "The final version is shorter than the first draft, which is usually a sign that the "
    "problem is finally understood.",
    "It is tempting to automate this immediately. Doing it by hand three times first showed "
    "which steps were worth automating and which were not needed at all.",
    "None of this is new. It is just easy to forget under deadline pressure, which is why it "
    "is written down here.",
]

SYNTHETIC_CODE_BLOCKS = [
    '```python\ndef handler(event, context):\n    return {"statusCode": 200, "body": "ok"}\n```',
    "```javascript\nexport const handler = async (event) => ({ statusCode: 204 });\n```",
    "```sql\nSELECT status, count(*) FROM jobs GROUP BY status ORDER BY count(*) DESC;\n```",
    "```bash\nmake test && make release VERSION=1.2.3\n```",
]

SYNTHETIC_LIST_ITEMS = [
    "Measure before and after.",
    "Change one thing at a time.",
    "Write the rollback plan first.",
    "Keep the old path until the new one has run for a week.",
    "Tell users what changed and why.",
    "Delete the feature flag once it has served its purpose.",
]

SYNTHETIC_RELEASE_SUMMARIES = [
    "A maintenance release with dependency updates and two small fixes.",
    "Adds a configuration option that several users asked for, with sensible defaults.",
    "Performance improvements for large inputs, and clearer error messages.",
    "Fixes a regression introduced in the previous release. Upgrading is recommended.",
    "Documentation and typing improvements; no behaviour changes.",
]

SYNTHETIC_RELEASE_NOTES = [
    "### Added\n- A `timeout` option on every client method.\n- Debug logging of retries.\n\n"
    "### Fixed\n- Empty responses no longer raise an exception.\n",
    "### Fixed\n- Headers with mixed case are matched case-insensitively.\n"
    "- A memory leak when a request was aborted.\n",
    "### Changed\n- Dependencies updated to their latest minor versions.\n\n"
    "### Fixed\n- The package includes its type definitions again.\n",
    "### Added\n- Support for the newest runtime version.\n\n"
    "### Fixed\n- Retries respect the `Retry-After` header.\n- Typos in error messages.\n",
]

SYNTHETIC_ISSUE_BODIES = [
    "A short one this week.\n\n## Links\n\n"
    "- [Queue retries, explained](https://example.org/articles/queue-retries)\n"
    "- [Connection limits in practice](https://example.net/blog/connection-limits)\n\n"
    "See you next Monday.\n",
    "## Links\n\n"
    "- [Schema migrations without downtime](https://example.org/articles/migrations)\n"
    "- [Packaging functions](https://example.com/guides/packaging)\n"
    "- [Rate limits and backoff](https://example.net/posts/backoff)\n\n"
    "Reply and tell me what you would like to read about.\n",
    "## One thing I learned\n\nSet timeouts on every layer, shortest on the inside.\n\n"
    "## Links\n\n- [Timeouts checklist](https://example.org/checklists/timeouts)\n",
]

# Generated issues are recognised by this subtitle prefix.
SYNTHETIC_ISSUE_SUBTITLE = "Generated sample issue"
