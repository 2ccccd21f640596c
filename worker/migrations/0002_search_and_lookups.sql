-- Directory search at the size of a large organisation: substring search through FTS5 trigram
-- indexes (any text of 3 characters or more, CJK included), kept in step with users and groups
-- by triggers; and sign-in by user principal name across tenants without a scan.

CREATE INDEX users_by_upn_any ON users(user_principal_name);

CREATE VIRTUAL TABLE users_search USING fts5(
  display_name, user_principal_name, mail,
  content = 'users', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');
CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
  INSERT INTO users_search (rowid, display_name, user_principal_name, mail)
  VALUES (NEW.rowid, NEW.display_name, NEW.user_principal_name, NEW.mail);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
  INSERT INTO users_search (users_search, rowid, display_name, user_principal_name, mail)
  VALUES ('delete', OLD.rowid, OLD.display_name, OLD.user_principal_name, OLD.mail);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF display_name, user_principal_name, mail ON users BEGIN
  INSERT INTO users_search (users_search, rowid, display_name, user_principal_name, mail)
  VALUES ('delete', OLD.rowid, OLD.display_name, OLD.user_principal_name, OLD.mail);
  INSERT INTO users_search (rowid, display_name, user_principal_name, mail)
  VALUES (NEW.rowid, NEW.display_name, NEW.user_principal_name, NEW.mail);
END;

CREATE VIRTUAL TABLE groups_search USING fts5(
  display_name, mail,
  content = 'groups', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO groups_search (groups_search) VALUES ('rebuild');
CREATE TRIGGER groups_search_insert AFTER INSERT ON groups BEGIN
  INSERT INTO groups_search (rowid, display_name, mail) VALUES (NEW.rowid, NEW.display_name, NEW.mail);
END;
CREATE TRIGGER groups_search_delete AFTER DELETE ON groups BEGIN
  INSERT INTO groups_search (groups_search, rowid, display_name, mail) VALUES ('delete', OLD.rowid, OLD.display_name, OLD.mail);
END;
CREATE TRIGGER groups_search_update AFTER UPDATE OF display_name, mail ON groups BEGIN
  INSERT INTO groups_search (groups_search, rowid, display_name, mail) VALUES ('delete', OLD.rowid, OLD.display_name, OLD.mail);
  INSERT INTO groups_search (rowid, display_name, mail) VALUES (NEW.rowid, NEW.display_name, NEW.mail);
END;
