-- 010_letter_patterns.sql — more of the ways a letter opens, as patterns
-- of the letter type (see 007_titles.sql for the pattern form): subject
-- lines written out ("Regarding: Jane Doe", "Subject: ...") and the
-- salutation of letters to no one in particular ("To Whom It May
-- Concern").  A letter that shows a subject line and a salutation counts
-- two patterns, which the indexer weighs as the letter form itself.
-- Sites that already added these keep one copy.

UPDATE doctype
   SET titles = titles || ARRAY(SELECT p FROM unnest(ARRAY['Regarding: *', 'Subject: *',
                                                           'To Whom It May *']) p
                                 WHERE NOT (p = ANY (titles)))
 WHERE code = 'letter';
