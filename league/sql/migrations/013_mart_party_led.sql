-- The coverage cells gain a segment, the organisations due to build with their
-- party organisation (党建带团建, party_led_due), so that 专项目标 reads each
-- month's counts from the cells instead of every month's ledger rows. Forget
-- what the marts were built with, so this start counts every submission again.
delete from mart_state;
