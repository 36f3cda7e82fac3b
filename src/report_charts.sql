-- The pieces of the HTML reports (reports.sql builds the pages): text escaped as HTML, numbers and
-- dates written the same under every session setting, and inline SVG charts. Every chart is a
-- <figure class="chart" data-chart="..."> whose data marks (bars, points) have class "mark" and
-- carry their series, their x and their value, so that a test can count and read them.

CREATE FUNCTION healthscore_internal.html_escape(value text)
RETURNS text
AS 'MODULE_PATHNAME', 'healthscore_html_escape'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION healthscore_internal.html_escape(text) IS
'text as ASCII HTML: & < > " '' and the backslash as entities, every other character beyond printable ASCII as a numeric reference to its code point (control characters but tab, newline and carriage return as U+FFFD)';

-- Numbers in numeric, never in float8 (its output follows extra_float_digits) nor with to_char's
-- locale patterns: a page is the same under every session setting. A dash for NULL.
CREATE FUNCTION healthscore_internal.html_number(value float8, digits integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN value IS NULL THEN '&#8211;' ELSE round(value::numeric, digits)::text END
$$;

COMMENT ON FUNCTION healthscore_internal.html_number(float8, integer) IS
'a number rounded to digits decimals for a report page (numeric text, independent of session settings), an en dash for NULL';

-- Money (ARR) in whole units with thousands separators, a dash for NULL: numeric, so that large
-- amounts keep every digit (float8 text turns to exponents from 10^15).
CREATE FUNCTION healthscore_internal.html_money(value numeric)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	-- no backslash in a plain literal: the body is parsed under the caller's standard_conforming_strings
	SELECT CASE WHEN value IS NULL THEN '&#8211;'
				ELSE regexp_replace(round(value)::text, '([0-9])(?=([0-9]{3})+$)', E'\\1,', 'g') END
$$;

COMMENT ON FUNCTION healthscore_internal.html_money(numeric) IS
'an amount rounded to whole units with "," between thousands for a report page, an en dash for NULL';

-- A share 0-1 as a percentage with one decimal.
CREATE FUNCTION healthscore_internal.html_percent(value float8)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN value IS NULL THEN '&#8211;' ELSE round(100 * value::numeric, 1)::text || '%' END
$$;

COMMENT ON FUNCTION healthscore_internal.html_percent(float8) IS
'a share 0-1 as a percentage with one decimal for a report page, an en dash for NULL';

-- Dates and times in the model's time zone, by explicit patterns: not DateStyle nor TimeZone.
CREATE FUNCTION healthscore_internal.html_date(value timestamptz, time_zone text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN value IS NULL THEN '&#8211;'
				WHEN NOT isfinite(value) THEN CASE WHEN value > 'epoch' THEN 'never' ELSE 'always' END
				WHEN (value AT TIME ZONE time_zone)::time = '00:00' THEN to_char(value AT TIME ZONE time_zone, 'YYYY-MM-DD')
				ELSE to_char(value AT TIME ZONE time_zone, 'YYYY-MM-DD HH24:MI') END
$$;

COMMENT ON FUNCTION healthscore_internal.html_date(timestamptz, text) IS
'a time in the given time zone for a report page: the date alone at midnight, else date and minutes; never and always for infinity and -infinity, an en dash for NULL';

-- SVG coordinates with one decimal.
CREATE FUNCTION healthscore_internal.svg_number(value float8)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT round(value::numeric, 1)::text
$$;

COMMENT ON FUNCTION healthscore_internal.svg_number(float8) IS
'an SVG coordinate: rounded to one decimal, as numeric text';

-- The colour of a tier by its rank, 1 = worst: red to green over the model's tiers, grey for a tier
-- without a rank (unknown).
CREATE FUNCTION healthscore_internal.tier_color(tier_rank integer, tiers integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	-- hue 0 (red) to 130 (green), bent so that a middle tier reads amber, not olive
	SELECT CASE WHEN tier_rank IS NULL OR tiers IS NULL OR tiers < 1 THEN '#9e9e9e'
				WHEN tiers = 1 THEN 'hsl(130,45%,40%)'
				ELSE format('hsl(%s,70%%,%s%%)', round(130.0 * power((tier_rank - 1)::float8 / (tiers - 1), 1.6)),
							CASE WHEN tier_rank = tiers THEN 38 ELSE 48 END) END
$$;

COMMENT ON FUNCTION healthscore_internal.tier_color(integer, integer) IS
'the colour a report draws a tier in: from red (rank 1, the worst) to green (the best), grey without a rank';

-- A round upper end for an axis: 1, 2, 2.5 or 5 times a power of ten, at least value.
CREATE FUNCTION healthscore_internal.axis_top(value float8)
RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN value IS NULL OR value <= 0 OR value = 'Infinity' OR value = 'NaN' THEN 1
				WHEN value > 1e300 THEN value	-- ten times it would overflow
				ELSE (SELECT min(s.step * p.power)
					  FROM (SELECT 10 ^ floor(log(value))) AS p(power),
						   unnest('{1,2,2.5,5,10}'::float8[]) AS s(step)
					  WHERE s.step * p.power >= value) END
$$;

COMMENT ON FUNCTION healthscore_internal.axis_top(float8) IS
'the top of a chart axis: the least of 1, 2, 2.5, 5 or 10 times a power of ten that is at least value (1 for none)';

-- The legend of a chart: a swatch and a label per series.
CREATE FUNCTION healthscore_internal.chart_legend(labels text[], colors text[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<div class="legend">'
		   || coalesce(string_agg(format('<span><i style="background:%s"></i>%s</span>', l.color,
										 healthscore_internal.html_escape(l.label)), '' ORDER BY l.n), '')
		   || '</div>'
	FROM ROWS FROM (unnest(labels), unnest(colors)) WITH ORDINALITY AS l(label, color, n)
$$;

COMMENT ON FUNCTION healthscore_internal.chart_legend(text[], text[]) IS
'the legend of a report chart: a coloured swatch and the escaped label of each series';

-- A data mark's attributes: its series, x and value (escaped), and a tooltip.
CREATE FUNCTION healthscore_internal.mark_data(series text, x text, value text, tooltip text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format(' data-series="%s" data-x="%s" data-value="%s"><title>%s</title>',
				  healthscore_internal.html_escape(series), healthscore_internal.html_escape(x), value,
				  healthscore_internal.html_escape(tooltip))
$$;

COMMENT ON FUNCTION healthscore_internal.mark_data(text, text, text, text) IS
'the attributes of a chart''s data mark (data-series, data-x, data-value) and its tooltip, escaped';

-- A horizontal grid line of a chart across the plot at y, with its label (HTML) left of it.
CREATE FUNCTION healthscore_internal.svg_gridline(left_edge float8, plot_width float8, y float8, label text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('<line class="grid" x1="%s" x2="%s" y1="%3$s" y2="%3$s"/><text class="axis" x="%s" y="%s" text-anchor="end">%s</text>',
				  left_edge, left_edge + plot_width, healthscore_internal.svg_number(y), left_edge - 6,
				  healthscore_internal.svg_number(y + 4), label)
$$;

COMMENT ON FUNCTION healthscore_internal.svg_gridline(float8, float8, float8, text) IS
'a chart''s horizontal grid line at y across the plot, with its label (HTML) at the left';

-- The figure around a chart's SVG body: its name (data-chart), escaped caption, size and legend.
CREATE FUNCTION healthscore_internal.chart_figure(chart text, css_class text, title text, width float8, height float8,
												  body text, legend text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT format('<figure class="%s" data-chart="%s"><figcaption>%s</figcaption><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="%4$s" height="%5$s" role="img">%s</svg>%s</figure>',
				  css_class, chart, healthscore_internal.html_escape(title), width, height, body, legend)
$$;

COMMENT ON FUNCTION healthscore_internal.chart_figure(text, text, text, float8, float8, text, text) IS
'the HTML figure of a report chart: class, data-chart name, escaped caption, the SVG of the given size and body, and the legend';

-- Stacked vertical bars: one bar per x label, one segment per series with a value (NULL and 0
-- draw nothing). Used for the tier distribution over the history.
CREATE FUNCTION healthscore_internal.chart_stacked_bars(chart text, title text, x_labels text[], series_labels text[],
														series_colors text[], mark_x integer[], mark_series integer[],
														mark_value float8[], unit text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	width constant float8 := 760;
	height constant float8 := 280;
	left_edge constant float8 := 56;
	top_edge constant float8 := 14;
	plot_width constant float8 := width - left_edge - 14;
	plot_height constant float8 := height - top_edge - 44;
	slots integer := greatest(coalesce(cardinality(x_labels), 0), 1);
	slot float8 := plot_width / slots;
	y_top float8;
	label_every integer := greatest(1, ceil(coalesce(cardinality(x_labels), 0) / 10.0)::integer);
	body text;
BEGIN
	SELECT healthscore_internal.axis_top(max(t.total)) INTO y_top
	FROM (SELECT sum(m.value) AS total
		  FROM ROWS FROM (unnest(mark_x), unnest(mark_value)) AS m(x, value) GROUP BY m.x) AS t;

	SELECT string_agg(healthscore_internal.svg_gridline(left_edge, plot_width, top_edge + plot_height * (1 - k / 4.0),
														healthscore_internal.html_number(y_top * k / 4.0, CASE WHEN y_top >= 10 THEN 0 ELSE 2 END)),
					  '' ORDER BY k)
	INTO body FROM generate_series(0, 4) AS k;

	SELECT body || coalesce(string_agg(format('<text class="axis" x="%s" y="%s" text-anchor="middle">%s</text>',
											  healthscore_internal.svg_number(left_edge + (l.n - 0.5) * slot),
											  top_edge + plot_height + 18, healthscore_internal.html_escape(l.label)),
									   '' ORDER BY l.n) FILTER (WHERE (l.n - 1) % label_every = 0), '')
	INTO body FROM unnest(x_labels) WITH ORDINALITY AS l(label, n);

	SELECT body || coalesce(string_agg(
		format('<rect class="mark" x="%s" y="%s" width="%s" height="%s" fill="%s"',
			   healthscore_internal.svg_number(left_edge + (s.x - 1) * slot + slot * 0.125),
			   healthscore_internal.svg_number(top_edge + plot_height * (1 - s.cumulative / y_top)),
			   healthscore_internal.svg_number(slot * 0.75),
			   healthscore_internal.svg_number(plot_height * s.value / y_top), series_colors[s.series])
		|| healthscore_internal.mark_data(series_labels[s.series], x_labels[s.x], healthscore_internal.html_number(s.value, 6),
										  format('%s, %s: %s %s', x_labels[s.x], series_labels[s.series],
												 round(s.value::numeric, 1), unit))
		|| '</rect>', '' ORDER BY s.x, s.series), '')
	INTO body
	FROM (SELECT m.x, m.series, m.value,
				 sum(m.value) OVER (PARTITION BY m.x ORDER BY m.series) AS cumulative
		  FROM ROWS FROM (unnest(mark_x), unnest(mark_series), unnest(mark_value)) AS m(x, series, value)
		  WHERE m.value IS NOT NULL AND m.value <> 0) AS s;

	RETURN healthscore_internal.chart_figure(chart, 'chart', title, width, height, body,
											 healthscore_internal.chart_legend(series_labels, series_colors));
END
$$;

COMMENT ON FUNCTION healthscore_internal.chart_stacked_bars(text, text, text[], text[], text[], integer[], integer[], float8[], text) IS
'an inline SVG chart of stacked bars: a bar per x label, a segment (class mark) per series value that is neither NULL nor 0';

-- Horizontal bars, a row per label and a bar per series value in it, negative values to the left
-- of zero. Used for value at risk and expected loss by tier and owner, and for top movers.
CREATE FUNCTION healthscore_internal.chart_bars(chart text, title text, row_labels text[], series_labels text[],
												series_colors text[], mark_row integer[], mark_series integer[],
												mark_value float8[], money boolean)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	width constant float8 := 760;
	left_edge constant float8 := 200;
	right_margin constant float8 := 90;
	plot_width constant float8 := width - left_edge - right_margin;
	bar_height constant float8 := 12;
	row_count integer := greatest(coalesce(cardinality(row_labels), 0), 1);
	series_count integer := greatest(coalesce(cardinality(series_labels), 0), 1);
	row_height float8 := 8 + bar_height * series_count;
	height float8 := 10 + row_count * row_height + 10;
	low float8;
	high float8;
	body text;
BEGIN
	SELECT least(0, min(v)), greatest(0, max(v)) INTO low, high
	FROM unnest(mark_value) AS v WHERE v IS NOT NULL AND v NOT IN ('Infinity', '-Infinity', 'NaN');
	IF high = low THEN
		high := low + 1;
	END IF;

	SELECT format('<line class="axis-line" x1="%1$s" x2="%1$s" y1="6" y2="%2$s"/>',
				  healthscore_internal.svg_number(left_edge + (0 - low) / (high - low) * plot_width),
				  healthscore_internal.svg_number(height - 6))
		   || coalesce(string_agg(format('<text class="label" x="%s" y="%s" text-anchor="end">%s</text>',
										 left_edge - 8, healthscore_internal.svg_number(10 + (l.n - 1) * row_height + row_height / 2 + 4),
										 healthscore_internal.html_escape(
											 CASE WHEN length(l.label) > 30 THEN left(l.label, 28) || '...' ELSE l.label END)),
								   '' ORDER BY l.n), '')
	INTO body FROM unnest(row_labels) WITH ORDINALITY AS l(label, n);

	SELECT body || coalesce(string_agg(
		format('<rect class="mark" x="%s" y="%s" width="%s" height="%s" fill="%s"',
			   healthscore_internal.svg_number(left_edge + (least(m.value, 0) - low) / (high - low) * plot_width),
			   healthscore_internal.svg_number(10 + (m.row - 1) * row_height + 4 + (m.series - 1) * bar_height),
			   healthscore_internal.svg_number(greatest(abs(m.value) / (high - low) * plot_width, 0.5)),
			   bar_height - 2, series_colors[m.series])
		|| healthscore_internal.mark_data(series_labels[m.series], row_labels[m.row], healthscore_internal.html_number(m.value, 6),
										  format('%s, %s: %s', row_labels[m.row], series_labels[m.series],
												 CASE WHEN money THEN healthscore_internal.html_money(m.value::numeric)
													  ELSE round(m.value::numeric, 1)::text END))
		|| '</rect>'
		|| format('<text class="value" x="%s" y="%s" text-anchor="%s">%s</text>',
				  -- right of the bar; for a negative one right of zero, clear of the row labels
				  healthscore_internal.svg_number(left_edge + (greatest(m.value, 0) - low) / (high - low) * plot_width + 4),
				  healthscore_internal.svg_number(10 + (m.row - 1) * row_height + 4 + (m.series - 1) * bar_height + bar_height - 3),
				  'start',
				  CASE WHEN money THEN healthscore_internal.html_money(m.value::numeric)
					   ELSE healthscore_internal.html_number(m.value, 1) END),
		'' ORDER BY m.row, m.series), '')
	INTO body
	FROM ROWS FROM (unnest(mark_row), unnest(mark_series), unnest(mark_value)) AS m(row, series, value)
	WHERE m.value IS NOT NULL AND m.value NOT IN ('Infinity', '-Infinity', 'NaN');

	RETURN healthscore_internal.chart_figure(chart, 'chart', title, width, height, body,
											 healthscore_internal.chart_legend(series_labels, series_colors));
END
$$;

COMMENT ON FUNCTION healthscore_internal.chart_bars(text, text, text[], text[], text[], integer[], integer[], float8[], boolean) IS
'an inline SVG chart of horizontal bars: a row per label, a bar (class mark) per finite series value, negative values left of zero';

-- Lines over x (a time as epoch seconds, or a probability): a point (class mark) per value, joined
-- per series; optional horizontal bands (tiers), a shaded x range (the trend window) and the
-- diagonal (a reliability diagram).
CREATE FUNCTION healthscore_internal.chart_lines(chart text, title text, x_low float8, x_high float8,
												 x_ticks float8[], x_tick_labels text[], y_low float8, y_high float8,
												 y_ticks float8[], y_tick_labels text[], series_labels text[],
												 series_colors text[], mark_series integer[], mark_x float8[],
												 mark_y float8[], mark_x_labels text[], band_low float8[],
												 band_high float8[], band_colors text[], band_labels text[],
												 shade_low float8, shade_high float8, shade_label text, diagonal boolean,
												 small boolean)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	width float8 := CASE WHEN small THEN 360 ELSE 760 END;
	height float8 := CASE WHEN small THEN 150 ELSE 280 END;
	left_edge constant float8 := 48;
	top_edge constant float8 := 12;
	plot_width float8 := width - left_edge - 40;
	plot_height float8 := height - top_edge - 34;
	x_span float8 := CASE WHEN x_high > x_low THEN x_high - x_low ELSE 1 END;
	y_span float8 := CASE WHEN y_high > y_low THEN y_high - y_low ELSE 1 END;
	body text := '';
	legend text := '';
BEGIN
	-- bands first, under everything else
	SELECT coalesce(string_agg(format('<rect class="band" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect><text class="band-label" x="%s" y="%s">%s</text>',
									  left_edge, healthscore_internal.svg_number(top_edge + plot_height * (1 - (least(b.high, y_high) - y_low) / y_span)),
									  plot_width,
									  healthscore_internal.svg_number(plot_height * (least(b.high, y_high) - greatest(b.low, y_low)) / y_span),
									  b.color, healthscore_internal.html_escape(b.label), left_edge + plot_width - 4,
									  healthscore_internal.svg_number(top_edge + plot_height * (1 - (least(b.high, y_high) - y_low) / y_span) + 12),
									  healthscore_internal.html_escape(b.label)), '' ORDER BY b.n), '')
	INTO body
	FROM ROWS FROM (unnest(band_low), unnest(band_high), unnest(band_colors), unnest(band_labels)) WITH ORDINALITY
		AS b(low, high, color, label, n)
	WHERE b.high > y_low AND b.low < y_high;

	IF shade_low IS NOT NULL AND shade_high IS NOT NULL THEN
		body := body || format('<rect class="shade" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>',
							   healthscore_internal.svg_number(left_edge + (greatest(shade_low, x_low) - x_low) / x_span * plot_width),
							   top_edge,
							   healthscore_internal.svg_number(greatest(least(shade_high, x_high) - greatest(shade_low, x_low), 0) / x_span * plot_width),
							   plot_height, healthscore_internal.html_escape(shade_label));
	END IF;

	SELECT body || coalesce(string_agg(healthscore_internal.svg_gridline(left_edge, plot_width,
																		 top_edge + plot_height * (1 - (t.y - y_low) / y_span),
																		 healthscore_internal.html_escape(t.label)), '' ORDER BY t.n), '')
	INTO body FROM ROWS FROM (unnest(y_ticks), unnest(y_tick_labels)) WITH ORDINALITY AS t(y, label, n);

	SELECT body || coalesce(string_agg(format('<text class="axis" x="%s" y="%s" text-anchor="middle">%s</text>',
											  healthscore_internal.svg_number(left_edge + (t.x - x_low) / x_span * plot_width),
											  top_edge + plot_height + 16, healthscore_internal.html_escape(t.label)), '' ORDER BY t.n), '')
	INTO body FROM ROWS FROM (unnest(x_ticks), unnest(x_tick_labels)) WITH ORDINALITY AS t(x, label, n);

	IF diagonal THEN
		body := body || format('<line class="diagonal" x1="%s" y1="%s" x2="%s" y2="%s"/>', left_edge, top_edge + plot_height,
							   left_edge + plot_width, top_edge);
	END IF;

	-- a line per series through its points in x order, then the points
	SELECT body || coalesce(string_agg(format('<polyline class="line" fill="none" stroke="%s" points="%s"/>',
											  series_colors[p.series], p.points), '' ORDER BY p.series), '')
	INTO body
	FROM (SELECT m.series,
				 string_agg(healthscore_internal.svg_number(left_edge + (m.x - x_low) / x_span * plot_width) || ','
							|| healthscore_internal.svg_number(top_edge + plot_height * (1 - (m.y - y_low) / y_span)),
							' ' ORDER BY m.x, m.n) AS points
		  FROM ROWS FROM (unnest(mark_series), unnest(mark_x), unnest(mark_y)) WITH ORDINALITY AS m(series, x, y, n)
		  WHERE m.y IS NOT NULL
		  GROUP BY m.series HAVING count(*) > 1) AS p;

	SELECT body || coalesce(string_agg(
		format('<circle class="mark" cx="%s" cy="%s" r="%s" fill="%s"',
			   healthscore_internal.svg_number(left_edge + (m.x - x_low) / x_span * plot_width),
			   healthscore_internal.svg_number(top_edge + plot_height * (1 - (m.y - y_low) / y_span)),
			   CASE WHEN small THEN 2.5 ELSE 3.5 END, series_colors[m.series])
		|| healthscore_internal.mark_data(series_labels[m.series], m.label, healthscore_internal.html_number(m.y, 6),
										  format('%s, %s: %s', m.label, series_labels[m.series], round(m.y::numeric, 3)))
		|| '</circle>', '' ORDER BY m.series, m.x, m.n), '')
	INTO body
	FROM ROWS FROM (unnest(mark_series), unnest(mark_x), unnest(mark_y), unnest(mark_x_labels)) WITH ORDINALITY
		AS m(series, x, y, label, n)
	WHERE m.y IS NOT NULL;

	IF cardinality(series_labels) > 1 THEN
		legend := healthscore_internal.chart_legend(series_labels, series_colors);
	END IF;
	RETURN healthscore_internal.chart_figure(chart, CASE WHEN small THEN 'chart small' ELSE 'chart' END, title, width, height,
											 body, legend);
END
$$;

COMMENT ON FUNCTION healthscore_internal.chart_lines(text, text, float8, float8, float8[], text[], float8, float8, float8[], text[], text[], text[], integer[], float8[], float8[], text[], float8[], float8[], text[], text[], float8, float8, text, boolean, boolean) IS
'an inline SVG line chart: a point (class mark) per non-NULL y, joined per series in x order, over optional horizontal bands, a shaded x range and the diagonal';

-- Ticks for a time axis: about most of the times, evenly picked, labelled with their dates.
CREATE FUNCTION healthscore_internal.time_ticks(times timestamptz[], time_zone text, most integer,
												OUT ticks float8[], OUT labels text[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH distinct_times AS (
		SELECT t, row_number() OVER (ORDER BY t) AS n, count(*) OVER () AS total
		FROM (SELECT DISTINCT t FROM unnest(times) AS t WHERE t IS NOT NULL) AS d
	)
	SELECT array_agg(extract(epoch FROM t)::float8 ORDER BY t),
		   array_agg(to_char(t AT TIME ZONE time_zone, 'YYYY-MM-DD') ORDER BY t)
	FROM distinct_times
	WHERE total <= most OR n = 1 OR n = total OR (n - 1) % ceil((total - 1) / (most - 1.0))::integer = 0
$$;

COMMENT ON FUNCTION healthscore_internal.time_ticks(timestamptz[], text, integer) IS
'the ticks of a time axis in a report chart: about most of the distinct times, evenly picked (first and last among them), as epoch seconds, with their dates in the time zone';

-- The page around a report: self-contained (styles inline, nothing fetched: the content security
-- policy forbids it, and scripts altogether), ASCII only.
CREATE FUNCTION healthscore_internal.html_page(title text, body text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
		   || '<meta http-equiv="Content-Security-Policy" content="default-src ''none''; style-src ''unsafe-inline''; img-src data:">'
		   || '<meta name="viewport" content="width=device-width, initial-scale=1">'
		   || '<meta name="generator" content="healthscore">'
		   || '<title>' || healthscore_internal.html_escape(title) || '</title><style>'
		   || 'body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2430;margin:0;background:#f5f6f8}'
		   || 'main{max-width:1240px;margin:0 auto;padding:24px}'
		   || 'h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dce3;padding-bottom:4px}'
		   || 'h3{font-size:15px;margin:18px 0 6px}.sub{color:#5a6473;margin:0 0 12px}'
		   || '.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.kpi{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:10px 14px;min-width:130px}'
		   || '.kpi>b{display:block;font-size:20px}.kpi>span{color:#5a6473;font-size:12px}'
		   || 'figure.chart{background:#fff;border:1px solid #d8dce3;border-radius:6px;margin:12px 0;padding:10px;display:inline-block;vertical-align:top;max-width:100%}'
		   || 'figure.chart svg{max-width:100%;height:auto;display:block}figcaption{font-weight:600;margin-bottom:6px}'
		   || 'figure.small{width:370px;margin-right:10px}'
		   || '.grid{stroke:#e3e6eb}.axis-line{stroke:#7a8391}.axis,.label,.value,.band-label{font-size:11px;fill:#5a6473}.band-label{text-anchor:end}'
		   || '.band{opacity:.16}.shade{fill:#3d6fd1;opacity:.09}.line{stroke-width:2}.diagonal{stroke:#9aa3af;stroke-dasharray:4 4}'
		   || '.legend{font-size:12px;color:#3a4250;margin-top:6px}.legend span{margin-right:14px;white-space:nowrap}'
		   || '.legend i{display:inline-block;width:10px;height:10px;margin-right:5px;border-radius:2px;vertical-align:-1px}'
		   || 'table{border-collapse:collapse;background:#fff;width:100%;font-size:13px;margin:8px 0}'
		   || 'th,td{border:1px solid #e0e3e8;padding:4px 6px;text-align:left;vertical-align:top}th{background:#eef0f4;font-weight:600}'
		   || 'td.n{text-align:right;white-space:nowrap}table.wide{font-size:12px}.why{white-space:pre-line;display:inline-block;min-width:230px}.acct{display:inline-block;min-width:120px}.act{display:inline-block;min-width:170px}.spark{white-space:nowrap}.tier{display:inline-block;padding:0 7px;border-radius:9px;color:#fff;font-weight:600;font-size:12px}'
		   || '.note{color:#5a6473;font-size:13px}.bad{color:#b3261e;font-weight:600}.ok{color:#2e7d32}.spark{font-family:monospace;letter-spacing:-1px;color:#3d6fd1}'
		   || 'small{color:#5a6473}footer{color:#8a93a0;font-size:12px;margin-top:30px}'
		   || '</style></head><body><main>' || body
		   || '<footer>Produced by healthscore from its views; every number here is a number of those views, as the reader who produced the page sees them.</footer>'
		   || '</main></body></html>'
$$;

COMMENT ON FUNCTION healthscore_internal.html_page(text, text) IS
'the HTML document around a report''s body: inline styles, a content security policy that allows no scripts and fetches nothing';

-- A table row of cells that are HTML already (escape the data first); numbers right-aligned.
CREATE FUNCTION healthscore_internal.html_row(cells text[], numeric_cells integer[] DEFAULT '{}')
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<tr>' || string_agg(CASE WHEN c.n::integer = ANY (numeric_cells) THEN '<td class="n">' ELSE '<td>' END
								|| coalesce(c.cell, '&#8211;') || '</td>', '' ORDER BY c.n) || '</tr>'
	FROM unnest(cells) WITH ORDINALITY AS c(cell, n)
$$;

COMMENT ON FUNCTION healthscore_internal.html_row(text[], integer[]) IS
'a table row of cells that are HTML already (an en dash for NULL), those listed in numeric_cells right-aligned';

-- A table head.
CREATE FUNCTION healthscore_internal.html_head(headers text[])
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<tr>' || string_agg('<th>' || healthscore_internal.html_escape(h.header) || '</th>', '' ORDER BY h.n) || '</tr>'
	FROM unnest(headers) WITH ORDINALITY AS h(header, n)
$$;

COMMENT ON FUNCTION healthscore_internal.html_head(text[]) IS
'a table head row of escaped headers';

-- A tier as a coloured label.
CREATE FUNCTION healthscore_internal.html_tier(tier text, tier_rank integer, tiers integer)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE WHEN tier IS NULL THEN '&#8211;'
				ELSE format('<span class="tier" style="background:%s">%s</span>',
							healthscore_internal.tier_color(tier_rank, tiers), healthscore_internal.html_escape(tier)) END
$$;

COMMENT ON FUNCTION healthscore_internal.html_tier(text, integer, integer) IS
'a tier label in its colour (by rank) for a report page';

-- A sparkline from its ASCII form (sparkline_ascii): the bars U+2581..U+2588 as character
-- references, whatever the client's encoding.
CREATE FUNCTION healthscore_internal.html_sparkline(ascii text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT '<span class="spark">'
		   || coalesce(string_agg(CASE WHEN strpos('_.:-=+*#', c) > 0 THEN '&#' || (9600 + strpos('_.:-=+*#', c)) || ';'
									   ELSE '&#160;' END, '' ORDER BY n), '')
		   || '</span>'
	FROM regexp_split_to_table(ascii, '') WITH ORDINALITY AS s(c, n)
$$;

COMMENT ON FUNCTION healthscore_internal.html_sparkline(text) IS
'a sparkline for a report page: the ASCII codes of sparkline_ascii() drawn as the bars U+2581 to U+2588 (character references), a space for no score';
