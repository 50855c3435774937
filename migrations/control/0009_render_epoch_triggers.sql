-- Custom SQL migration file, put your code below! --
-- Every write a workbench page could show moves its scope's counter (decision 043). Triggers, so no
-- writer can forget: the projection, the admin routes, the operator CLI and the seed all write here.
CREATE TRIGGER `render_epoch_work_queue_insert` AFTER INSERT ON `work_queue` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('tenant:' || NEW.tenant_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_work_queue_update` AFTER UPDATE ON `work_queue` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('tenant:' || NEW.tenant_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_work_queue_delete` AFTER DELETE ON `work_queue` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('tenant:' || OLD.tenant_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_grants_insert` AFTER INSERT ON `grants` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('tenant:' || NEW.tenant_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
	INSERT INTO render_epochs (scope, epoch) VALUES ('principal:' || NEW.principal_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_grants_update` AFTER UPDATE ON `grants` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('tenant:' || NEW.tenant_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
	INSERT INTO render_epochs (scope, epoch) VALUES ('principal:' || NEW.principal_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_grants_delete` AFTER DELETE ON `grants` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('tenant:' || OLD.tenant_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
	INSERT INTO render_epochs (scope, epoch) VALUES ('principal:' || OLD.principal_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_saved_views_insert` AFTER INSERT ON `saved_views` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('principal:' || NEW.principal_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_saved_views_update` AFTER UPDATE ON `saved_views` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('principal:' || NEW.principal_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_saved_views_delete` AFTER DELETE ON `saved_views` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('principal:' || OLD.principal_id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_tenants_update` AFTER UPDATE ON `tenants` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('tenant:' || NEW.id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_principals_update` AFTER UPDATE ON `principals` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('principal:' || NEW.id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
	INSERT INTO render_epochs (scope, epoch) SELECT 'tenant:' || tenant_id, 1 FROM grants WHERE principal_id = NEW.id ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
