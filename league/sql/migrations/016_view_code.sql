-- The views and macros (league.db.VIEW_FILES) are code: made again only when
-- the checkout's differ from those the database holds, recorded here by
-- their hash. A DuckLake store keeps every change of its catalog as a
-- snapshot, and each of the processes sharing it would otherwise make them
-- all again when it starts.
create table view_code (
    sha256 varchar not null
);
