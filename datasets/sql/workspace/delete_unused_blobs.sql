-- params: (none)
-- Blobs no plan and no kept revision refers to any more.
DELETE FROM plan_blobs
WHERE hash NOT IN (SELECT unnest(blobs) FROM plans WHERE blobs IS NOT NULL
                   UNION SELECT unnest(blobs) FROM plan_history WHERE blobs IS NOT NULL);
