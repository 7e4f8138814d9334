DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pricing') THEN
        CREATE ROLE pricing LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'floors') THEN
        CREATE ROLE floors LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'backup') THEN
        CREATE ROLE backup LOGIN;
    END IF;
END
$$;

GRANT INSERT, SELECT ON events TO pricing;
GRANT INSERT, SELECT ON admin_audit_log TO pricing;
GRANT SELECT ON floor_models TO floors;
GRANT pg_read_all_data TO backup;
