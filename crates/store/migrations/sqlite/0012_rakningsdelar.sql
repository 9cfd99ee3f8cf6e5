-- A cycle report's record in parts (boj-rapport's `Rakning::delar`): each part a whole record of
-- at most 32 768 cases and 32 768 activities, with how many of each it holds, so that a reader holds
-- one part at a time and can size what it fills before reading. report_counts (one value per report)
-- stays for the reports issued before and is read when a report has no parts.
CREATE TABLE report_count_parts (
    report_id   TEXT NOT NULL REFERENCES reports (id),
    part        INTEGER NOT NULL,
    cases       INTEGER NOT NULL,
    activities  INTEGER NOT NULL,
    items       BLOB NOT NULL,
    PRIMARY KEY (report_id, part)
);
