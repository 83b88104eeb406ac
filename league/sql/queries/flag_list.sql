-- The data-quality flags of the units named (flagged_units: those in scope,
-- optionally of one district or unit, or with flags on one organisation) for
-- the months of the as-of year up to the as-of month: most severe first, then
-- newest, then by unit and organisation.
select district, unit, report_month, uscc, org_name, code, severity, message, evidence
from flags_of($units::integer[])
where report_month between date_trunc('year', $as_of_month::date) and $as_of_month::date
order by flag_severity_rank(severity), report_month desc, district, unit, code, uscc;
