-- CreateIndex
CREATE INDEX "Assignment_projectId_state_idx" ON "Assignment"("projectId", "state");
