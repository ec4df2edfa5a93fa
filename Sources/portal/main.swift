// Placeholder until the command line lands in this same issue.
print("portal")
