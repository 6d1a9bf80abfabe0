print("PlanBench")
