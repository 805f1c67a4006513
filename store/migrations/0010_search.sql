-- Client search (store.Clients): by any part of a client's name, by its INN,
-- by a contact's name or phone; and clients in Russian dictionary order.
--
-- The cluster may have been initialised with the C locale (pglocal does,
-- and existing dev clusters are), where names sort in byte order and
-- lower() folds ASCII only. Nothing here depends on the cluster's locale: an
-- ICU collation of our own sorts and folds case.
CREATE COLLATION IF NOT EXISTS ru_icu (provider = icu, locale = 'ru-RU');

-- search_fold is the text a search compares, for a stored name and for the
-- term alike: lower case by ICU whatever the database's locale (Cyrillic
-- included), ё as е, no quotes («Ромашка», "Ромашка" and Ромашка are one),
-- any run of white space as one space, trimmed.
CREATE OR REPLACE FUNCTION search_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN btrim(regexp_replace(
        translate(lower(t COLLATE ru_icu), E'ё\u00a0\t\n\r«»"“”„''', 'е    '),
        ' {2,}', ' ', 'g'));

-- search_trigrams are the distinct three-character substrings of a text: a
-- text contains a term of three characters or more only if it has all the
-- term's trigrams, which a GIN index finds; the match itself is then checked
-- with strpos. Not pg_trgm: it takes its word characters from the
-- database's LC_CTYPE, and under C only ASCII letters and digits are
-- (show_trgm('Ёлка') is {}), so a Cyrillic term would find nothing in its
-- index and scan it all. Not full-text search either: it matches words and
-- their prefixes, not any part of a name ("строй" in "Мосстройинвест").
-- (Duplicates stay: GIN keeps each key once. A loop, as it is half the cost
-- of a query over generate_series, which every write of a name pays.)
CREATE OR REPLACE FUNCTION search_trigrams(t text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    grams text[] := '{}';
BEGIN
    FOR i IN 1 .. length(t) - 2 LOOP
        grams := grams || substr(t, i, 3);
    END LOOP;
    RETURN grams;
END;
$$;

-- phone_digits is a phone number as its digits only: "+7 (495) 123-45-67"
-- and "+7 495 123-45-67" are both 74951234567.
CREATE OR REPLACE FUNCTION phone_digits(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(t, '[^0-9]', '', 'g');

-- contact_search_text is what a search looks for in a contact: the name,
-- folded, and the phone's digits.
CREATE OR REPLACE FUNCTION contact_search_text(name text, phone text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN search_fold(name) || ' ' || phone_digits(phone);

-- The name order is Russian (ICU's ru: Cyrillic before Latin, ё with е),
-- for the list's sort and its keyset pages.
DROP INDEX IF EXISTS clients_name;
CREATE INDEX clients_name ON clients ((name COLLATE ru_icu), id);

CREATE INDEX IF NOT EXISTS clients_search ON clients USING gin (search_trigrams(search_fold(name)));
-- An INN prefix, whatever the database's collation (LIKE 'abc%' uses a
-- plain B-tree only under C).
CREATE INDEX IF NOT EXISTS clients_inn_prefix ON clients (inn text_pattern_ops) WHERE inn IS NOT NULL;
CREATE INDEX IF NOT EXISTS client_contacts_search ON client_contacts USING gin (search_trigrams(contact_search_text(name, phone)));
-- A phone typed 8 495 ... finds one stored +7 495 ...: the last ten digits.
CREATE INDEX IF NOT EXISTS client_contacts_phone ON client_contacts (right(phone_digits(phone), 10));
