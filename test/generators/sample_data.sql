-- test/generators/sample_data.sql
--
-- Deterministic, realistic sample data for healthscore.
--
--   psql -v ON_ERROR_STOP=1 -f test/generators/sample_data.sql
--
-- (Re)creates schema "sample": 2,000 B2B SaaS accounts with ~200k usage
-- events, a few thousand support tickets and NPS responses, and planted
-- churn outcomes.
--
-- What is planted, and why: every account gets a hidden latent health
-- h in [0,1] (kept in sample.truth, not in sample.accounts).  All
-- observable behaviour is a noisy function of h:
--   * usage     - healthy accounts log more events per seat, spread them
--                 over more distinct users (seat utilisation) and more
--                 features, and their usage grows towards the end of the
--                 window; unhealthy ones decline, and many stop weeks before
--                 the reference date (recency).  ~3% never log anything.
--   * tickets   - unhealthy accounts open more tickets, more of them urgent,
--                 and take longer to resolve them (so more stay open).
--   * invoices  - unhealthy accounts pay late or not at all (financial).
--   * NPS       - ratings skew to promoters (9-10) for healthy accounts and
--                 to detractors (0-6) for unhealthy ones.
--   * churn     - P(churn) = 0.6 * (1 - h)^2.5, so churn rises with low
--                 usage, low seat utilisation, urgent tickets and detractor
--                 NPS only *through* h: a health score built from the
--                 observable tables should rank churners first, and can be
--                 checked against sample.churn_outcomes / sample.truth.
--
-- Determinism: no random()/setseed()/now().  Every pseudo-random number is
-- sample.uniform(key, salt), a hash of a stable integer key and a salt that
-- is distinct per use, so the output does not depend on plan, parallelism or
-- run time.  Everything is relative to the fixed reference date
-- sample.reference_date() = 2026-06-30; the usage window is the 180 days
-- ending on it, and churn happens within the 120 days after it.
-- test/generators/check_sample_data.sql prints a sanity summary.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';

BEGIN;

DROP SCHEMA IF EXISTS sample CASCADE;
CREATE SCHEMA sample;
COMMENT ON SCHEMA sample IS
    'Deterministic synthetic customer-health data (test/generators/sample_data.sql).';

-- ---------------------------------------------------------------------------
-- Helpers (LANGUAGE sql, IMMUTABLE, no SET clause, so they are inlined)
-- ---------------------------------------------------------------------------

-- Uniform number in [0, 1) from the 53 low bits of a 64-bit hash.
CREATE FUNCTION sample.uniform(i bigint, salt integer) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (pg_catalog.hashint8extended(i, salt) & 9007199254740991)::float8
       / 9007199254740992.0;

-- Standard normal (Box-Muller) from two hashed uniforms; 1 - u is in (0, 1].
CREATE FUNCTION sample.normal(i bigint, salt integer) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN pg_catalog.sqrt(-2.0 * pg_catalog.ln(1.0 - sample.uniform(i, salt)))
       * pg_catalog.cos(2.0 * pg_catalog.pi() * sample.uniform(i, salt + 1000003));

-- The fixed "today" of the data set.
CREATE FUNCTION sample.reference_date() RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN DATE '2026-06-30';

-- ---------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------

CREATE TABLE sample.accounts (
    account_id     integer PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    segment        text NOT NULL CHECK (segment IN ('smb', 'mid_market', 'enterprise')),
    arr            numeric(12,2) NOT NULL CHECK (arr > 0),
    seats          integer NOT NULL CHECK (seats > 0),
    contract_start date NOT NULL,
    renewal_date   date NOT NULL CHECK (renewal_date > contract_start),
    csm            text NOT NULL
);

CREATE TABLE sample.truth (
    account_id        integer PRIMARY KEY,
    latent_health     float8  NOT NULL CHECK (latent_health BETWEEN 0 AND 1),
    churn_probability float8  NOT NULL CHECK (churn_probability BETWEEN 0 AND 1),
    churned           boolean NOT NULL
);

CREATE TABLE sample.usage_events (
    event_id   bigint PRIMARY KEY,
    account_id integer NOT NULL,
    user_id    bigint NOT NULL,
    feature    text NOT NULL,
    ts         timestamptz NOT NULL
);

CREATE TABLE sample.tickets (
    ticket_id  bigint PRIMARY KEY,
    account_id integer NOT NULL,
    opened_at  timestamptz NOT NULL,
    closed_at  timestamptz,
    priority   text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    is_open    boolean NOT NULL,
    CHECK (is_open = (closed_at IS NULL)),
    CHECK (closed_at >= opened_at)
);

CREATE TABLE sample.nps_responses (
    response_id  bigint PRIMARY KEY,
    account_id   integer NOT NULL,
    user_id      bigint NOT NULL,
    responded_at timestamptz NOT NULL,
    rating       integer NOT NULL CHECK (rating BETWEEN 0 AND 10)
);

CREATE TABLE sample.churn_outcomes (
    account_id integer PRIMARY KEY,
    churned_on date NOT NULL,
    reason     text NOT NULL CHECK (reason IN ('wrong use case', 'failed launch',
                   'features and functionality', 'low usage', 'ROI and value',
                   'client or organisation change'))
);

COMMENT ON TABLE sample.accounts IS
    'Synthetic customer accounts (2,000); contract and renewal dates relative to 2026-06-30.';
COMMENT ON TABLE sample.truth IS
    'Hidden ground truth per account: latent health h, planted churn probability 0.6*(1-h)^2.5, churned flag. Not an input for scoring.';
COMMENT ON TABLE sample.usage_events IS
    'Product usage events over the 180 days ending 2026-06-30; user_id = account_id*10000 + k.';
COMMENT ON TABLE sample.tickets IS
    'Support tickets opened in the usage window; is_open = (closed_at IS NULL) as of 2026-06-30.';
COMMENT ON TABLE sample.nps_responses IS
    'NPS survey responses (0-10) in the usage window; not every account responded.';
COMMENT ON TABLE sample.churn_outcomes IS
    'Planted churn within 120 days after 2026-06-30; churn probability falls with latent health.';

-- ---------------------------------------------------------------------------
-- Per-account hidden parameters.  Salts 1xx are account level.
-- ---------------------------------------------------------------------------

CREATE TEMPORARY TABLE account_params ON COMMIT DROP AS
WITH base AS (
    SELECT a AS account_id,
           -- logistic-normal latent health, mean ~0.6
           1.0 / (1.0 + pg_catalog.exp(-(0.45 + 1.35 * sample.normal(a, 101)))) AS h,
           sample.uniform(a, 102) AS u_segment
    FROM pg_catalog.generate_series(1, 2000) AS a
)
SELECT b.account_id, b.h,
       s.segment, s.seats,
       -- target share of seats that are active users
       LEAST(1.0, GREATEST(0.03, 0.08 + 0.85 * b.h + 0.10 * sample.normal(b.account_id, 103))) AS util,
       -- events per seat^0.8 (before weekend thinning)
       (0.10 + 1.90 * b.h ^ 1.5) * pg_catalog.exp(0.35 * sample.normal(b.account_id, 104)) AS intensity,
       -- number of features in use (login always first)
       LEAST(8, GREATEST(1, pg_catalog.round(1.5 + 6.5 * b.h + 1.2 * sample.normal(b.account_id, 105))))::integer AS n_features,
       -- never used the product at all (~3%)
       sample.uniform(b.account_id, 106) < 0.15 * (1.0 - b.h) ^ 3 AS no_usage,
       -- stopped using the product this many days before the reference date
       CASE WHEN sample.uniform(b.account_id, 107) < 0.70 * (1.0 - b.h) ^ 2
            THEN 10 + pg_catalog.floor(90.0 * sample.uniform(b.account_id, 108))::integer
            ELSE 0 END AS stop_days,
       -- usage trend: exponent > 1 means declining, < 1 growing
       1.70 - 0.90 * b.h AS trend
FROM base AS b
CROSS JOIN LATERAL (
    SELECT seg.segment,
           -- log-uniform seat counts per segment
           pg_catalog.round(seg.lo * (seg.hi / seg.lo) ^ sample.uniform(b.account_id, 109))::integer AS seats
    FROM (SELECT CASE WHEN b.u_segment < 0.60 THEN 'smb'
                      WHEN b.u_segment < 0.90 THEN 'mid_market'
                      ELSE 'enterprise' END AS segment) AS s0
    CROSS JOIN LATERAL (
        SELECT s0.segment,
               CASE s0.segment WHEN 'smb' THEN 3.0 WHEN 'mid_market' THEN 25.0 ELSE 150.0 END AS lo,
               CASE s0.segment WHEN 'smb' THEN 30.0 WHEN 'mid_market' THEN 150.0 ELSE 1000.0 END AS hi
    ) AS seg
) AS s;

-- ---------------------------------------------------------------------------
-- Accounts
-- ---------------------------------------------------------------------------

INSERT INTO sample.accounts
       (account_id, name, segment, arr, seats, contract_start, renewal_date, csm)
WITH named AS (
    SELECT p.account_id, p.segment, p.seats,
           (ARRAY['Acme', 'Apex', 'Beacon', 'Birch', 'Bluefin', 'Cedar', 'Cobalt',
                  'Crescent', 'Evergreen', 'Falcon', 'Granite', 'Harbor', 'Helix',
                  'Horizon', 'Ironwood', 'Juniper', 'Keystone', 'Lumen', 'Maple',
                  'Meridian', 'Northwind', 'Orchid', 'Pinnacle', 'Quartz', 'Redwood',
                  'Sierra', 'Summit', 'Tidewater', 'Vertex', 'Willow'])[1 + c.idx % 30]
           || CASE WHEN c.idx / 30 % 13 = 0 THEN ''   -- some one-word names
                   ELSE ' ' || (ARRAY['Bay', 'Bridge', 'Creek', 'Field', 'Point', 'Ridge',
                                      'Stone', 'Valley', 'Peak', 'Gate', 'Line', 'Wave'])
                                 [c.idx / 30 % 13] END
           || ' ' ||
           (ARRAY['Labs', 'Systems', 'Health', 'Logistics', 'Analytics', 'Foods',
                  'Energy', 'Partners', 'Robotics', 'Financial', 'Media', 'Software',
                  'Manufacturing', 'Retail', 'Biotech', 'Group'])[1 + c.idx / 390] AS name,
           -- contract start between 3 years and 2 months before the reference date
           (sample.reference_date() - INTERVAL '3 years')::date
             + pg_catalog.floor(sample.uniform(p.account_id, 112)
                 * ((sample.reference_date() - INTERVAL '2 months')::date
                    - (sample.reference_date() - INTERVAL '3 years')::date + 1))::integer
             AS contract_start,
           -- list price per seat and year, and a negotiated discount
           (ARRAY[480, 600, 720, 900])[1 + pg_catalog.floor(4 * sample.uniform(p.account_id, 113))::integer]
             * CASE p.segment WHEN 'smb' THEN 1.0 WHEN 'mid_market' THEN 0.85 ELSE 0.65 END
             * (1.0 - 0.30 * sample.uniform(p.account_id, 114)) AS price,
           sample.uniform(p.account_id, 115) AS u_csm
    FROM (SELECT account_params.*,
                 pg_catalog.row_number() OVER (ORDER BY sample.uniform(account_id, 110), account_id)
                   AS name_rank
          FROM account_params) AS p
    -- spread a hashed rank of the account over the 30 * 13 * 16 = 6240 name
    -- combinations; 7919 is coprime to 6240, so names are unique (< 6240 accounts)
    CROSS JOIN LATERAL (SELECT (p.name_rank * 7919 + 4321) % 6240 AS idx) AS c
)
SELECT n.account_id,
       n.name,
       n.segment,
       pg_catalog.round((n.seats * n.price
                         + CASE n.segment WHEN 'enterprise' THEN 25000 ELSE 0 END)::numeric, 2),
       n.seats,
       n.contract_start,
       -- next contract anniversary after the reference date: within 12 months
       (n.contract_start
        + pg_catalog.make_interval(years =>
            pg_catalog.date_part('year', pg_catalog.age(sample.reference_date()::timestamp, n.contract_start::timestamp))::integer + 1)
       )::date,
       -- books of business by segment (some CSMs cover two segments)
       (ARRAY['Alex Morgan', 'Priya Natarajan', 'Jordan Lee', 'Sofia Rossi',
              'Marcus Bell', 'Hannah Schmidt', 'Diego Alvarez', 'Mei Chen'])
           [CASE n.segment
                WHEN 'enterprise' THEN 1 + pg_catalog.floor(3 * n.u_csm)::integer
                WHEN 'mid_market' THEN 3 + pg_catalog.floor(4 * n.u_csm)::integer
                ELSE 6 + pg_catalog.floor(3 * n.u_csm)::integer END]
FROM named AS n;

-- ---------------------------------------------------------------------------
-- Usage events.  Key for event-level hashes: account_id * 1e6 + j.
-- ---------------------------------------------------------------------------

INSERT INTO sample.usage_events (event_id, account_id, user_id, feature, ts)
SELECT pg_catalog.row_number() OVER (ORDER BY e.account_id, e.ts, e.k),
       e.account_id, e.user_id, e.feature, e.ts
FROM (
    SELECT p.account_id,
           ev.k,
           p.account_id * 10000::bigint + 1
             + pg_catalog.floor(w.pool * sample.uniform(ev.k, 201) ^ 1.6)::bigint AS user_id,
           (ARRAY['login', 'dashboard', 'report', 'alerts', 'export', 'integration', 'api', 'admin'])
               [1 + pg_catalog.floor(p.n_features * sample.uniform(ev.k, 202) ^ 1.8)::integer] AS feature,
           ev.ts
    FROM account_params AS p
    JOIN sample.accounts AS a USING (account_id)
    CROSS JOIN LATERAL (
        SELECT GREATEST(sample.reference_date() - 179, a.contract_start) AS first_day,
               GREATEST(GREATEST(sample.reference_date() - 179, a.contract_start) + 7,
                        sample.reference_date() - p.stop_days) AS last_day,
               GREATEST(1, pg_catalog.round(p.seats * p.util))::integer AS pool,
               -- weekday kept fraction is ~0.77 (weekends thinned to 20%)
               CASE WHEN p.no_usage THEN 0
                    ELSE pg_catalog.round(3.65 * p.seats ^ 0.8 * p.intensity / 0.77)::integer END AS n_raw
    ) AS w
    CROSS JOIN LATERAL (
        SELECT x.k, (x.day::timestamp AT TIME ZONE 'UTC')
                 + INTERVAL '1 hour' * LEAST(23.99, GREATEST(0.0,
                       13.5 + 3.0 * sample.normal(x.k, 203)))  -- business hours, UTC
                 AS ts,
               x.day
        FROM (
            SELECT j.k,
                   w.first_day
                     + LEAST(w.last_day - w.first_day,
                             pg_catalog.floor((w.last_day - w.first_day + 1)
                                 * sample.uniform(j.k, 204) ^ p.trend)::integer) AS day
            FROM (SELECT p.account_id * 1000000::bigint + g AS k
                  FROM pg_catalog.generate_series(1, w.n_raw) AS g) AS j
        ) AS x
        WHERE NOT (EXTRACT(ISODOW FROM x.day) IN (6, 7)
                   AND sample.uniform(x.k, 205) < 0.80)
    ) AS ev
) AS e;

-- ---------------------------------------------------------------------------
-- Support tickets.  Key: account_id * 1000 + j.
-- ---------------------------------------------------------------------------

INSERT INTO sample.tickets (ticket_id, account_id, opened_at, closed_at, priority, is_open)
SELECT pg_catalog.row_number() OVER (ORDER BY t.account_id, t.opened_at, t.k),
       t.account_id, t.opened_at,
       CASE WHEN t.resolved_at <= t.cutoff THEN t.resolved_at END,
       t.priority,
       t.resolved_at > t.cutoff
FROM (
    SELECT r.*,
           -- end of the reference date: tickets not resolved by then are open
           ((sample.reference_date() + 1)::timestamp AT TIME ZONE 'UTC') AS cutoff,
           r.opened_at + INTERVAL '1 hour'
             * CASE r.priority WHEN 'urgent' THEN 10 WHEN 'high' THEN 30
                               WHEN 'normal' THEN 72 ELSE 120 END
             * (1.0 + 3.0 * (1.0 - r.h) ^ 2)                          -- slow when unhealthy
             -- stuck escalations (engineering bugs), mostly at troubled accounts
             * CASE WHEN sample.uniform(r.k, 305) < (1.0 - r.h) ^ 2
                         * CASE WHEN r.priority IN ('urgent', 'high') THEN 0.70 ELSE 0.25 END
                    THEN 40.0 ELSE 1.0 END
             * -pg_catalog.ln(1.0 - sample.uniform(r.k, 306))          -- exponential
             AS resolved_at
    FROM (
        SELECT p.account_id, p.h, tk.k,
               ((sample.reference_date() - 179)::timestamp AT TIME ZONE 'UTC')
                 -- troubled accounts' tickets cluster towards the reference date
                 + INTERVAL '1 second' * pg_catalog.floor(180 * 86400
                       * sample.uniform(tk.k, 302) ^ (0.5 + 0.5 * p.h))
                 AS opened_at,
               CASE WHEN tk.u < 0.02 + 0.35 * (1.0 - p.h) ^ 2 THEN 'urgent'
                    WHEN tk.u < 0.14 + 0.35 * (1.0 - p.h) ^ 2 + 0.15 * (1.0 - p.h) THEN 'high'
                    WHEN tk.u < 1.00 - 0.35 * p.h THEN 'normal'
                    ELSE 'low' END AS priority
        FROM account_params AS p
        CROSS JOIN LATERAL (
            SELECT p.account_id * 1000::bigint + g AS k,
                   sample.uniform(p.account_id * 1000::bigint + g, 303) AS u
            FROM pg_catalog.generate_series(1,
                   pg_catalog.floor(-pg_catalog.ln(1.0 - sample.uniform(p.account_id, 301))
                                    * (0.6 + 4.2 * (1.0 - p.h) ^ 1.5)
                                    * (p.seats / 20.0) ^ 0.25)::integer) AS g
        ) AS tk
    ) AS r
) AS t;

-- ---------------------------------------------------------------------------
-- NPS responses.  Key: account_id * 1000 + j.
-- ---------------------------------------------------------------------------

INSERT INTO sample.nps_responses (response_id, account_id, user_id, responded_at, rating)
SELECT pg_catalog.row_number() OVER (ORDER BY p.account_id, r.responded_at, r.k),
       p.account_id,
       p.account_id * 10000::bigint + 1
         + pg_catalog.floor(GREATEST(1, pg_catalog.round(p.seats * p.util)) * sample.uniform(r.k, 402))::bigint,
       r.responded_at,
       LEAST(10, GREATEST(0, pg_catalog.round(2.5 + 8.0 * p.h + 1.8 * sample.normal(r.k, 403))))::integer
FROM account_params AS p
CROSS JOIN LATERAL (
    SELECT p.account_id * 1000::bigint + g AS k,
           ((sample.reference_date() - 179)::timestamp AT TIME ZONE 'UTC')
             + INTERVAL '1 second' * pg_catalog.floor(180 * 86400
                   * sample.uniform(p.account_id * 1000::bigint + g, 404)) AS responded_at
    FROM pg_catalog.generate_series(1,
           CASE WHEN sample.uniform(p.account_id, 401) < 0.30 + 0.45 * p.h   -- engaged accounts answer
                THEN 1 + pg_catalog.floor(-pg_catalog.ln(1.0 - sample.uniform(p.account_id, 405))
                                          * 1.6 * (p.seats / 20.0) ^ 0.2)::integer
                ELSE 0 END) AS g
) AS r;

-- ---------------------------------------------------------------------------
-- Ground truth and churn outcomes.
-- ---------------------------------------------------------------------------

INSERT INTO sample.truth (account_id, latent_health, churn_probability, churned)
SELECT p.account_id, p.h, 0.6 * (1.0 - p.h) ^ 2.5,
       sample.uniform(p.account_id, 501) < 0.6 * (1.0 - p.h) ^ 2.5
FROM account_params AS p;

INSERT INTO sample.churn_outcomes (account_id, churned_on, reason)
SELECT t.account_id,
       sample.reference_date() + 1 + pg_catalog.floor(120 * sample.uniform(t.account_id, 502))::integer,
       CASE WHEN p.no_usage AND u.w < 0.60 THEN 'failed launch'      -- never launched
            WHEN p.stop_days > 0 AND u.w < 0.30 THEN 'low usage'    -- went quiet
            WHEN u.v < 0.32 THEN 'low usage'
            WHEN u.v < 0.60 THEN 'ROI and value'
            WHEN u.v < 0.74 THEN 'features and functionality'
            WHEN u.v < 0.85 THEN 'client or organisation change'
            WHEN u.v < 0.94 THEN 'wrong use case'
            ELSE 'failed launch' END
FROM sample.truth AS t
JOIN account_params AS p USING (account_id)
CROSS JOIN LATERAL (SELECT sample.uniform(t.account_id, 503) AS v,
                           sample.uniform(t.account_id, 504) AS w) AS u
WHERE t.churned;

-- ---------------------------------------------------------------------------
-- Invoices: one a month over the 6 months up to the reference date. Unhealthy
-- accounts pay late or not at all, so overdue invoices are a financial signal.
-- ---------------------------------------------------------------------------

CREATE TABLE sample.invoices (
    invoice_id bigint PRIMARY KEY,
    account_id integer NOT NULL,
    issued_on  date NOT NULL,
    due_on     date NOT NULL,
    amount     numeric(12,2) NOT NULL CHECK (amount > 0),
    paid_on    date,
    CHECK (due_on >= issued_on)
);

INSERT INTO sample.invoices (invoice_id, account_id, issued_on, due_on, amount, paid_on)
SELECT i.account_id * 100 + i.m, i.account_id, i.issued_on, i.issued_on + 30,
       pg_catalog.round(a.arr / 12, 2),
       CASE WHEN i.delay_days IS NULL THEN NULL
            WHEN i.issued_on + 30 + i.delay_days > sample.reference_date() THEN NULL   -- not paid yet
            ELSE i.issued_on + 30 + i.delay_days END
FROM (
    SELECT t.account_id, m, (sample.reference_date() - 30 * m)::date AS issued_on,
           CASE WHEN sample.uniform(t.account_id * 100 + m, 601) < 0.25 * (1.0 - t.latent_health) ^ 3
                THEN NULL                                                -- never paid
                ELSE pg_catalog.floor(-20 + 90 * (1.0 - t.latent_health) ^ 2
                                      * sample.uniform(t.account_id * 100 + m, 602))::integer END AS delay_days
    FROM sample.truth AS t, pg_catalog.generate_series(0, 5) AS m
) AS i
JOIN sample.accounts AS a USING (account_id);

COMMENT ON TABLE sample.invoices IS 'monthly invoices; unhealthy accounts pay late or not at all';

-- ---------------------------------------------------------------------------
-- Foreign keys and indexes (after the bulk load: one validation per table
-- instead of one trigger call per row)
-- ---------------------------------------------------------------------------

ALTER TABLE sample.truth          ADD FOREIGN KEY (account_id) REFERENCES sample.accounts;
ALTER TABLE sample.usage_events   ADD FOREIGN KEY (account_id) REFERENCES sample.accounts;
ALTER TABLE sample.tickets        ADD FOREIGN KEY (account_id) REFERENCES sample.accounts;
ALTER TABLE sample.nps_responses  ADD FOREIGN KEY (account_id) REFERENCES sample.accounts;
ALTER TABLE sample.churn_outcomes ADD FOREIGN KEY (account_id) REFERENCES sample.accounts;
ALTER TABLE sample.invoices       ADD FOREIGN KEY (account_id) REFERENCES sample.accounts;

CREATE INDEX usage_events_account_ts_idx ON sample.usage_events (account_id, ts);
CREATE INDEX tickets_account_idx         ON sample.tickets (account_id, opened_at);
CREATE INDEX nps_responses_account_idx   ON sample.nps_responses (account_id, responded_at);
CREATE INDEX invoices_account_idx        ON sample.invoices (account_id, due_on);

COMMIT;

ANALYZE sample.accounts;
ANALYZE sample.truth;
ANALYZE sample.usage_events;
ANALYZE sample.tickets;
ANALYZE sample.nps_responses;
ANALYZE sample.churn_outcomes;
ANALYZE sample.invoices;
