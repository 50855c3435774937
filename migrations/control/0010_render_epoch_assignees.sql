-- Custom SQL migration file, put your code below! --
-- An assignee's name shows in the queues of every tenant with a case assigned to them, grant or not
-- (decision 043): a changed person also moves those tenants' counters.
DROP TRIGGER IF EXISTS `render_epoch_principals_update`;
--> statement-breakpoint
CREATE TRIGGER `render_epoch_principals_update` AFTER UPDATE ON `principals` BEGIN
	INSERT INTO render_epochs (scope, epoch) VALUES ('principal:' || NEW.id, 1) ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
	INSERT INTO render_epochs (scope, epoch) SELECT 'tenant:' || tenant_id, 1 FROM grants WHERE principal_id = NEW.id ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
	INSERT INTO render_epochs (scope, epoch) SELECT DISTINCT 'tenant:' || tenant_id, 1 FROM work_queue WHERE assignee_id = NEW.id ON CONFLICT (scope) DO UPDATE SET epoch = epoch + 1;
END;
